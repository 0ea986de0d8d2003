import MQTTCodec
import NIOCore

// CONNECT fixtures. The decoder learns the version from each of them (decoderVersion nil).

extension PacketFixtures {
    static let connect: [PacketFixture] = validConnect + invalidConnectFlags + invalidConnectHeader

    private static let validConnect: [PacketFixture] = [
        .valid(
            "3.1 CONNECT, clean session",
            version: nil,
            [
                0x10,  // CONNECT, flags 0
                0x10,  // remaining length 16
                0x00, 0x06, 0x4D, 0x51, 0x49, 0x73, 0x64, 0x70,  // protocol name "MQIsdp"
                0x03,  // protocol level 3 (3.1)
                0x02,  // connect flags: clean session
                0x00, 0x3C,  // keep alive 60 s
                0x00, 0x02, 0x63, 0x31,  // client identifier "c1"
            ],
            .connect(MQTTPacket.Connect(protocolVersion: .v3_1, cleanStart: true, keepAlive: 60, clientID: "c1"))
        ),
        .valid(
            "3.1 CONNECT with user name and password flags but neither field",
            spec: "3.1 §3.1",
            version: nil,
            [
                0x10,  // CONNECT
                0x10,  // remaining length 16: ends after the client identifier
                0x00, 0x06, 0x4D, 0x51, 0x49, 0x73, 0x64, 0x70,  // protocol name "MQIsdp"
                0x03,  // protocol level 3 (3.1)
                0xC2,  // connect flags: user name, password, clean session
                0x00, 0x3C,  // keep alive 60 s
                0x00, 0x02, 0x63, 0x31,  // client identifier "c1"
            ],
            .connect(MQTTPacket.Connect(protocolVersion: .v3_1, cleanStart: true, keepAlive: 60, clientID: "c1")),
            canonical: false
        ),
        .valid(
            "3.1.1 CONNECT with will, user name and password",
            version: nil,
            [
                0x10,  // CONNECT
                0x1E,  // remaining length 30
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x04,  // protocol level 4 (3.1.1)
                0xEE,  // connect flags: user name, password, will retain, will QoS 1, will, clean session
                0x00, 0x0A,  // keep alive 10 s
                0x00, 0x03, 0x64, 0x65, 0x76,  // client identifier "dev"
                0x00, 0x01, 0x77,  // will topic "w"
                0x00, 0x03, 0x62, 0x79, 0x65,  // will payload "bye"
                0x00, 0x01, 0x75,  // user name "u"
                0x00, 0x02, 0x70, 0x77,  // password "pw"
            ],
            .connect(
                MQTTPacket.Connect(
                    protocolVersion: .v3_1_1,
                    cleanStart: true,
                    keepAlive: 10,
                    clientID: "dev",
                    will: MQTTPacket.Will(topic: "w", payload: .fixture("bye"), qos: .atLeastOnce, retain: true),
                    username: "u",
                    password: .fixture("pw")
                )
            )
        ),
        .valid(
            "5.0 CONNECT with properties and will properties",
            version: nil,
            [
                0x10,  // CONNECT
                0x32,  // remaining length 50
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x05,  // protocol level 5
                0x16,  // connect flags: will QoS 2, will, clean start
                0x00, 0x00,  // keep alive 0 (off)
                0x0F,  // property length 15
                0x11, 0x00, 0x00, 0x00, 0x78,  // session expiry interval 120 s
                0x21, 0x00, 0x14,  // receive maximum 20
                0x26, 0x00, 0x01, 0x6B, 0x00, 0x01, 0x76,  // user property "k" = "v"
                0x00, 0x00,  // client identifier "" (server assigns one)
                0x0E,  // will property length 14
                0x18, 0x00, 0x00, 0x00, 0x05,  // will delay interval 5 s
                0x01, 0x01,  // payload format indicator 1 (UTF-8)
                0x03, 0x00, 0x04, 0x74, 0x65, 0x78, 0x74,  // content type "text"
                0x00, 0x03, 0x74, 0x2F, 0x31,  // will topic "t/1"
                0x00, 0x00,  // will payload, empty
            ],
            .connect(
                MQTTPacket.Connect(
                    protocolVersion: .v5,
                    cleanStart: true,
                    keepAlive: 0,
                    clientID: "",
                    will: MQTTPacket.Will(
                        topic: "t/1",
                        payload: .fixture(""),
                        qos: .exactlyOnce,
                        retain: false,
                        properties: MQTTProperties([
                            .willDelayInterval(5), .payloadFormatIndicator(1), .contentType("text"),
                        ])
                    ),
                    properties: MQTTProperties([
                        .sessionExpiryInterval(120), .receiveMaximum(20), .userProperty(name: "k", value: "v"),
                    ])
                )
            )
        ),
        .valid(
            "5.0 CONNECT with a password and no user name",
            spec: "5.0 §3.1.2.9",
            version: nil,
            [
                0x10,  // CONNECT
                0x11,  // remaining length 17
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x05,  // protocol level 5
                0x42,  // connect flags: password, clean start
                0x00, 0x1E,  // keep alive 30 s
                0x00,  // property length 0
                0x00, 0x01, 0x61,  // client identifier "a"
                0x00, 0x01, 0x73,  // password "s"
            ],
            .connect(
                MQTTPacket.Connect(
                    protocolVersion: .v5,
                    cleanStart: true,
                    keepAlive: 30,
                    clientID: "a",
                    password: .fixture("s")
                )
            )
        ),
    ]

    /// 3.1.1 CONNECT with the given connect flags and client identifier "a", no other fields.
    private static func connect311(flags: UInt8) -> [UInt8] {
        [
            0x10,  // CONNECT
            0x0D,  // remaining length 13
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
            0x04,  // protocol level 4
            flags,  // connect flags (see the fixture)
            0x00, 0x3C,  // keep alive 60 s
            0x00, 0x01, 0x61,  // client identifier "a"
        ]
    }

    private static let invalidConnectFlags: [PacketFixture] = [
        .invalidConnect(
            "CONNECT with the reserved flag set",
            spec: "MQTT-3.1.2-3",
            declaring: .v3_1_1,
            connect311(flags: 0x03),  // connect flags: reserved bit 0 set, clean session
            .invalidConnectFlags,
            .malformedPacket
        ),
        .invalidConnect(
            "CONNECT with will QoS but no will",
            spec: "MQTT-3.1.2-11",
            declaring: .v3_1_1,
            connect311(flags: 0x0A),  // connect flags: will QoS 1, clean session, no will
            .invalidConnectFlags,
            .malformedPacket
        ),
        .invalidConnect(
            "CONNECT with will retain but no will",
            spec: "MQTT-3.1.2-13",
            declaring: .v3_1_1,
            connect311(flags: 0x22),  // connect flags: will retain, clean session, no will
            .invalidConnectFlags,
            .malformedPacket
        ),
        .invalidConnect(
            "CONNECT with will QoS 3",
            spec: "MQTT-3.1.2-12",
            declaring: .v3_1_1,
            [
                0x10,  // CONNECT
                0x12,  // remaining length 18
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x04,  // protocol level 4
                0x1E,  // connect flags: will QoS 3, will, clean session
                0x00, 0x3C,  // keep alive 60 s
                0x00, 0x01, 0x61,  // client identifier "a"
                0x00, 0x01, 0x77,  // will topic "w"
                0x00, 0x00,  // will payload, empty
            ],
            .invalidQoS,
            .malformedPacket
        ),
        .invalidConnect(
            "3.1.1 CONNECT with a password but no user name",
            spec: "MQTT-3.1.2-22",
            declaring: .v3_1_1,
            [
                0x10,  // CONNECT
                0x10,  // remaining length 16
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x04,  // protocol level 4
                0x42,  // connect flags: password, clean session
                0x00, 0x1E,  // keep alive 30 s
                0x00, 0x01, 0x61,  // client identifier "a"
                0x00, 0x01, 0x73,  // password "s"
            ],
            .invalidConnectFlags,
            .malformedPacket
        ),
        .invalidConnect(
            "CONNECT longer than its fields",
            spec: "5.0 §2.1.4",
            declaring: .v3_1_1,
            [
                0x10,  // CONNECT
                0x0E,  // remaining length 14: one byte more than the fields
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x04,  // protocol level 4
                0x02,  // connect flags: clean session
                0x00, 0x3C,  // keep alive 60 s
                0x00, 0x01, 0x61,  // client identifier "a"
                0x00,  // left over
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
    ]
}
