import MQTTCodec

// CONNECT fixtures about the protocol name and level, UTF-8 strings and properties.

extension PacketFixtures {
    /// 5.0 CONNECT, clean start, client identifier "a", with the given properties.
    private static func connect5(properties: [UInt8]) -> [UInt8] {
        [
            0x10,  // CONNECT
            UInt8(14 + properties.count),  // remaining length: 14 + properties
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
            0x05,  // protocol level 5
            0x02,  // connect flags: clean start
            0x00, 0x3C,  // keep alive 60 s
            UInt8(properties.count),  // property length
        ] + properties + [
            0x00, 0x01, 0x61,  // client identifier "a"
        ]
    }

    /// 3.1.1 CONNECT, clean session, with the given client identifier field.
    private static func connect311(clientIdentifier: [UInt8]) -> [UInt8] {
        [
            0x10,  // CONNECT
            UInt8(10 + clientIdentifier.count),  // remaining length: 10 + client identifier
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
            0x04,  // protocol level 4
            0x02,  // connect flags: clean session
            0x00, 0x3C,  // keep alive 60 s
        ] + clientIdentifier
    }

    static let invalidConnectHeader: [PacketFixture] = [
        .invalidConnect(
            "CONNECT naming \"MQTT\" at level 3",
            spec: "MQTT-3.1.2-1",
            declaring: .v3_1,
            [
                0x10,  // CONNECT
                0x0D,  // remaining length 13
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x03,  // protocol level 3, which is "MQIsdp"
                0x02,  // connect flags: clean session
                0x00, 0x3C,  // keep alive 60 s
                0x00, 0x01, 0x61,  // client identifier "a"
            ],
            .invalidProtocolName,
            .unsupportedProtocolVersion
        ),
        .invalidConnect(
            "CONNECT naming \"MQIsdp\" at level 4",
            spec: "MQTT-3.1.2-1",
            declaring: .v3_1_1,
            [
                0x10,  // CONNECT
                0x0F,  // remaining length 15
                0x00, 0x06, 0x4D, 0x51, 0x49, 0x73, 0x64, 0x70,  // protocol name "MQIsdp"
                0x04,  // protocol level 4, which is "MQTT"
                0x02,  // connect flags: clean session
                0x00, 0x3C,  // keep alive 60 s
                0x00, 0x01, 0x61,  // client identifier "a"
            ],
            .invalidProtocolName,
            .unsupportedProtocolVersion
        ),
        .invalidConnect(
            "CONNECT at protocol level 6",
            spec: "MQTT-3.1.2-2",
            declaring: nil,
            [
                0x10,  // CONNECT
                0x0D,  // remaining length 13
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x06,  // protocol level 6: unknown
                0x02,  // connect flags: clean session
                0x00, 0x3C,  // keep alive 60 s
                0x00, 0x01, 0x61,  // client identifier "a"
            ],
            .unsupportedProtocolVersion(6),
            .unsupportedProtocolVersion
        ),
        .invalidConnect(
            "client identifier encoding a UTF-16 surrogate",
            spec: "MQTT-1.5.4-1",
            declaring: .v3_1_1,
            connect311(clientIdentifier: [0x00, 0x03, 0xED, 0xA0, 0x80]),  // U+D800 as UTF-8
            .malformedUTF8,
            .malformedPacket
        ),
        .invalidConnect(
            "client identifier containing U+0000",
            spec: "MQTT-1.5.4-2",
            declaring: .v3_1_1,
            connect311(clientIdentifier: [0x00, 0x02, 0x61, 0x00]),  // "a", U+0000
            .malformedUTF8,
            .malformedPacket
        ),
        .invalidConnect(
            "client identifier with an overlong encoding",
            spec: "5.0 §1.5.4",
            declaring: .v3_1_1,
            connect311(clientIdentifier: [0x00, 0x02, 0xC0, 0xAF]),  // "/" in two bytes
            .malformedUTF8,
            .malformedPacket
        ),
        .invalidConnect(
            "client identifier with a truncated sequence",
            spec: "5.0 §1.5.4",
            declaring: .v3_1_1,
            connect311(clientIdentifier: [0x00, 0x02, 0xE4, 0xB8]),  // first two bytes of "中"
            .malformedUTF8,
            .malformedPacket
        ),
        .invalidConnect(
            "client identifier longer than the packet",
            spec: "5.0 §1.5.4",
            declaring: .v3_1_1,
            connect311(clientIdentifier: [0x00, 0x05, 0x61]),  // length 5, one byte present
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalidConnect(
            "5.0 CONNECT with a topic alias, a PUBLISH property",
            spec: "5.0 §2.2.2.2",
            declaring: .v5,
            connect5(properties: [0x23, 0x00, 0x01]),  // topic alias 1
            .propertyNotAllowed(0x23, in: .connect),
            .malformedPacket
        ),
        .invalidConnect(
            "5.0 CONNECT with an unknown property",
            spec: "5.0 §2.2.2.2",
            declaring: .v5,
            connect5(properties: [0x05, 0x00]),  // identifier 5 is not defined
            .unknownProperty(0x05),
            .malformedPacket
        ),
        .invalidConnect(
            "5.0 CONNECT with the session expiry interval twice",
            spec: "5.0 §3.1.2.11.2",
            declaring: .v5,
            connect5(properties: [
                0x11, 0x00, 0x00, 0x00, 0x01,  // session expiry interval 1 s
                0x11, 0x00, 0x00, 0x00, 0x02,  // session expiry interval 2 s
            ]),
            .duplicateProperty(0x11),
            .protocolError
        ),
        .invalidConnect(
            "5.0 CONNECT with receive maximum 0",
            spec: "5.0 §3.1.2.11.3",
            declaring: .v5,
            connect5(properties: [0x21, 0x00, 0x00]),  // receive maximum 0
            .invalidPropertyValue(0x21),
            .protocolError
        ),
        .invalidConnect(
            "5.0 CONNECT with maximum packet size 0",
            spec: "5.0 §3.1.2.11.4",
            declaring: .v5,
            connect5(properties: [0x27, 0x00, 0x00, 0x00, 0x00]),  // maximum packet size 0
            .invalidPropertyValue(0x27),
            .protocolError
        ),
        .invalidConnect(
            "5.0 CONNECT with request problem information 2",
            spec: "5.0 §3.1.2.11.7",
            declaring: .v5,
            connect5(properties: [0x17, 0x02]),  // request problem information 2
            .invalidPropertyValue(0x17),
            .protocolError
        ),
        .invalidConnect(
            "5.0 CONNECT with request response information 2",
            spec: "5.0 §3.1.2.11.6",
            declaring: .v5,
            connect5(properties: [0x19, 0x02]),  // request response information 2
            .invalidPropertyValue(0x19),
            .protocolError
        ),
        .invalidConnect(
            "5.0 CONNECT with a property length beyond the packet",
            spec: "5.0 §2.2.2.1",
            declaring: .v5,
            [
                0x10,  // CONNECT
                0x0C,  // remaining length 12
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x05,  // protocol level 5
                0x02,  // connect flags: clean start
                0x00, 0x3C,  // keep alive 60 s
                0x09,  // property length 9, one byte present
                0x11,  // session expiry interval, cut short
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalidConnect(
            "5.0 will properties with a session expiry interval",
            spec: "5.0 §3.1.3.2",
            declaring: .v5,
            [
                0x10,  // CONNECT
                0x19,  // remaining length 25
                0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
                0x05,  // protocol level 5
                0x06,  // connect flags: will (QoS 0), clean start
                0x00, 0x3C,  // keep alive 60 s
                0x00,  // property length 0
                0x00, 0x01, 0x61,  // client identifier "a"
                0x05,  // will property length 5
                0x11, 0x00, 0x00, 0x00, 0x01,  // session expiry interval: a CONNECT property, not a will property
                0x00, 0x01, 0x77,  // will topic "w"
                0x00, 0x00,  // will payload, empty
            ],
            .propertyNotAllowed(0x11, in: .connect),
            .malformedPacket
        ),
    ]
}
