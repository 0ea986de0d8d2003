import MQTTCodec

// PINGREQ, PINGRESP, DISCONNECT, AUTH and packet type fixtures.

extension PacketFixtures {
    static let control: [PacketFixture] = validControl + invalidControl

    private static let validControl: [PacketFixture] = [
        .valid("3.1.1 PINGREQ", version: .v3_1_1, [0xC0, 0x00], .pingReq),  // PINGREQ, remaining length 0
        .valid("3.1.1 PINGRESP", version: .v3_1_1, [0xD0, 0x00], .pingResp),  // PINGRESP, remaining length 0
        .valid("5.0 PINGREQ", version: .v5, [0xC0, 0x00], .pingReq),  // PINGREQ, remaining length 0
        .valid("5.0 PINGRESP", version: .v5, [0xD0, 0x00], .pingResp),  // PINGRESP, remaining length 0
        .valid(
            "3.1.1 DISCONNECT",
            version: .v3_1_1,
            [0xE0, 0x00],  // DISCONNECT, remaining length 0
            .disconnect(MQTTPacket.Disconnect())
        ),
        .valid(
            "5.0 DISCONNECT short form",
            spec: "5.0 §3.14.2.1",
            version: .v5,
            [0xE0, 0x00],  // DISCONNECT, remaining length 0: normal disconnection, no properties
            .disconnect(MQTTPacket.Disconnect(reasonCode: .normalDisconnection))
        ),
        .valid(
            "5.0 DISCONNECT with a reason code and no property length",
            spec: "5.0 §3.14.2.2.1",
            version: .v5,
            [
                0xE0,  // DISCONNECT
                0x01,  // remaining length 1: below 2, no property length
                0x04,  // reason code 0x04 disconnect with will message
            ],
            .disconnect(MQTTPacket.Disconnect(reasonCode: .disconnectWithWillMessage))
        ),
        .valid(
            "5.0 DISCONNECT with properties",
            version: .v5,
            [
                0xE0,  // DISCONNECT
                0x0B,  // remaining length 11
                0x8E,  // reason code 0x8E session taken over
                0x09,  // property length 9
                0x11, 0x00, 0x00, 0x00, 0x00,  // session expiry interval 0
                0x1F, 0x00, 0x01, 0x78,  // reason string "x"
            ],
            .disconnect(
                MQTTPacket.Disconnect(
                    reasonCode: .sessionTakenOver,
                    properties: MQTTProperties([.sessionExpiryInterval(0), .reasonString("x")])
                )
            )
        ),
        .valid(
            "5.0 AUTH short form",
            spec: "5.0 §3.15.2.1",
            version: .v5,
            [0xF0, 0x00],  // AUTH, remaining length 0: success, no properties
            .auth(MQTTPacket.Auth())
        ),
        .valid(
            "5.0 AUTH continuing with method and data",
            version: .v5,
            [
                0xF0,  // AUTH
                0x0F,  // remaining length 15
                0x18,  // reason code 0x18 continue authentication
                0x0D,  // property length 13
                0x15, 0x00, 0x05, 0x53, 0x43, 0x52, 0x41, 0x4D,  // authentication method "SCRAM"
                0x16, 0x00, 0x02, 0x01, 0x02,  // authentication data 01 02
            ],
            .auth(
                MQTTPacket.Auth(
                    reasonCode: .continueAuthentication,
                    properties: MQTTProperties([
                        .authenticationMethod("SCRAM"), .authenticationData(.fixture([0x01, 0x02])),
                    ])
                )
            )
        ),
    ]

    private static let invalidControl: [PacketFixture] = [
        .invalid(
            "PINGREQ with a body",
            spec: "3.1.1 §3.12.1",
            version: .v3_1_1,
            [0xC0, 0x01, 0x00],  // PINGREQ, remaining length 1, one byte
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "PINGREQ with flags",
            spec: "MQTT-2.1.3-1",
            version: .v5,
            [0xC1, 0x00],  // PINGREQ, flags 0b0001 instead of 0
            .reservedFlagsSet(.pingReq),
            .malformedPacket
        ),
        .invalid(
            "CONNECT with fixed header flags",
            spec: "MQTT-2.1.3-1",
            version: nil,
            [0x11, 0x00],  // CONNECT, flags 0b0001 instead of 0; rejected before the body
            .reservedFlagsSet(.connect),
            .malformedPacket
        ),
        .invalid(
            "3.1.1 DISCONNECT with a body",
            spec: "3.1.1 §3.14.1",
            version: .v3_1_1,
            [0xE0, 0x01, 0x00],  // DISCONNECT, remaining length 1, one byte
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "5.0 DISCONNECT with a CONNACK reason code",
            spec: "MQTT-3.14.2-1",
            version: .v5,
            [0xE0, 0x01, 0x86],  // DISCONNECT, remaining length 1, reason code 0x86: CONNACK only
            .invalidReasonCode(0x86),
            .malformedPacket
        ),
        .invalid(
            "5.0 DISCONNECT with a will delay interval",
            spec: "5.0 §2.2.2.2",
            version: .v5,
            [
                0xE0,  // DISCONNECT
                0x07,  // remaining length 7
                0x00,  // reason code 0x00
                0x05,  // property length 5
                0x18, 0x00, 0x00, 0x00, 0x01,  // will delay interval: a will property
            ],
            .propertyNotAllowed(0x18, in: .disconnect),
            .malformedPacket
        ),
        .invalid(
            "AUTH in 3.1.1",
            spec: "3.1.1 §2.2.1",
            version: .v3_1_1,
            [0xF0, 0x00],  // type 15: reserved before 5.0
            .invalidPacketType(15),
            .malformedPacket
        ),
        .invalid(
            "5.0 AUTH with a reason code and no property length",
            spec: "5.0 §3.15.2.2.1",
            version: .v5,
            [0xF0, 0x01, 0x18],  // AUTH, remaining length 1, reason code 0x18, property length missing
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "5.0 AUTH with a SUBACK reason code",
            spec: "MQTT-3.15.2-1",
            version: .v5,
            [0xF0, 0x02, 0x01, 0x00],  // AUTH, remaining length 2, reason code 0x01: SUBACK only, property length 0
            .invalidReasonCode(0x01),
            .malformedPacket
        ),
        .invalid(
            "packet type 0",
            spec: "5.0 §2.1.2",
            version: .v5,
            [0x00, 0x00],  // type 0: reserved
            .invalidPacketType(0),
            .malformedPacket
        ),
    ]
}
