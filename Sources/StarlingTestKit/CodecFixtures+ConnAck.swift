import MQTTCodec

// CONNACK fixtures: 3.x return codes and their 5.0 reason codes, 5.0 properties.

extension PacketFixtures {
    /// 3.1.1 CONNACK with no session and the given return code.
    private static func returnCode(_ code: UInt8, _ reasonCode: ReasonCode) -> PacketFixture {
        .valid(
            "3.1.1 CONNACK return code \(code) is reason code \(reasonCode)",
            spec: "3.1.1 §3.2.2.3",
            version: .v3_1_1,
            [
                0x20,  // CONNACK
                0x02,  // remaining length 2
                0x00,  // acknowledge flags: no session
                code,  // return code
            ],
            .connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: reasonCode))
        )
    }

    /// 5.0 CONNACK, success, with one byte property.
    private static func connAck5(byteProperty identifier: UInt8, value: UInt8) -> [UInt8] {
        [
            0x20,  // CONNACK
            0x05,  // remaining length 5
            0x00,  // acknowledge flags: no session
            0x00,  // reason code 0x00 success
            0x02,  // property length 2
            identifier, value,  // the property
        ]
    }

    static let connAck: [PacketFixture] = [
        .valid(
            "3.1.1 CONNACK with a session present",
            version: .v3_1_1,
            [
                0x20,  // CONNACK
                0x02,  // remaining length 2
                0x01,  // acknowledge flags: session present
                0x00,  // return code 0: accepted
            ],
            .connAck(MQTTPacket.ConnAck(sessionPresent: true, reasonCode: .success))
        ),
        returnCode(1, .unsupportedProtocolVersion),
        returnCode(2, .clientIdentifierNotValid),
        returnCode(3, .serverUnavailable),
        returnCode(4, .badUserNameOrPassword),
        returnCode(5, .notAuthorized),
        .valid(
            "3.1 CONNACK",
            version: .v3_1,
            [
                0x20,  // CONNACK
                0x02,  // remaining length 2
                0x00,  // reserved (3.1 has no session present flag)
                0x00,  // return code 0: accepted
            ],
            .connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .success))
        ),
        .valid(
            "5.0 CONNACK with properties",
            version: .v5,
            [
                0x20,  // CONNACK
                0x0F,  // remaining length 15
                0x00,  // acknowledge flags: no session
                0x00,  // reason code 0x00 success
                0x0C,  // property length 12
                0x24, 0x01,  // maximum QoS 1
                0x25, 0x00,  // retain available 0
                0x12, 0x00, 0x02, 0x69, 0x64,  // assigned client identifier "id"
                0x22, 0x00, 0x0A,  // topic alias maximum 10
            ],
            .connAck(
                MQTTPacket.ConnAck(
                    sessionPresent: false,
                    reasonCode: .success,
                    properties: MQTTProperties([
                        .maximumQoS(1), .retainAvailable(0), .assignedClientIdentifier("id"), .topicAliasMaximum(10),
                    ])
                )
            )
        ),
        .valid(
            "5.0 CONNACK refusing with bad user name or password",
            version: .v5,
            [
                0x20,  // CONNACK
                0x03,  // remaining length 3
                0x00,  // acknowledge flags: no session
                0x86,  // reason code 0x86 bad user name or password
                0x00,  // property length 0
            ],
            .connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .badUserNameOrPassword))
        ),
        .invalid(
            "3.1.1 CONNACK with a reserved acknowledge flag",
            spec: "MQTT-3.2.2-1",
            version: .v3_1_1,
            [
                0x20,  // CONNACK
                0x02,  // remaining length 2
                0x02,  // acknowledge flags: reserved bit 1 set
                0x00,  // return code 0
            ],
            .invalidConnAckFlags,
            .malformedPacket
        ),
        .invalid(
            "3.1.1 CONNACK return code 6",
            spec: "3.1.1 §3.2.2.3",
            version: .v3_1_1,
            [
                0x20,  // CONNACK
                0x02,  // remaining length 2
                0x00,  // acknowledge flags
                0x06,  // return code 6: reserved
            ],
            .invalidReasonCode(6),
            .malformedPacket
        ),
        .invalid(
            "5.0 CONNACK with a DISCONNECT reason code",
            spec: "5.0 §3.2.2.2",
            version: .v5,
            [
                0x20,  // CONNACK
                0x03,  // remaining length 3
                0x00,  // acknowledge flags
                0x04,  // reason code 0x04: DISCONNECT only
                0x00,  // property length 0
            ],
            .invalidReasonCode(0x04),
            .malformedPacket
        ),
        .invalid(
            "5.0 CONNACK with a will delay interval",
            spec: "5.0 §2.2.2.2",
            version: .v5,
            [
                0x20,  // CONNACK
                0x08,  // remaining length 8
                0x00,  // acknowledge flags
                0x00,  // reason code 0x00
                0x05,  // property length 5
                0x18, 0x00, 0x00, 0x00, 0x01,  // will delay interval: a will property
            ],
            .propertyNotAllowed(0x18, in: .connAck),
            .malformedPacket
        ),
        .invalid(
            "5.0 CONNACK with maximum QoS 2",
            spec: "5.0 §3.2.2.3.4",
            version: .v5,
            connAck5(byteProperty: 0x24, value: 2),  // maximum QoS 2: absent means 2, only 0 and 1 are sent
            .invalidPropertyValue(0x24),
            .protocolError
        ),
        .invalid(
            "5.0 CONNACK with retain available 2",
            spec: "5.0 §3.2.2.3.5",
            version: .v5,
            connAck5(byteProperty: 0x25, value: 2),  // retain available 2
            .invalidPropertyValue(0x25),
            .protocolError
        ),
        .invalid(
            "5.0 CONNACK with wildcard subscription available 2",
            spec: "5.0 §3.2.2.3.11",
            version: .v5,
            connAck5(byteProperty: 0x28, value: 2),  // wildcard subscription available 2
            .invalidPropertyValue(0x28),
            .protocolError
        ),
        .invalid(
            "5.0 CONNACK with subscription identifiers available 2",
            spec: "5.0 §3.2.2.3.12",
            version: .v5,
            connAck5(byteProperty: 0x29, value: 2),  // subscription identifiers available 2
            .invalidPropertyValue(0x29),
            .protocolError
        ),
        .invalid(
            "5.0 CONNACK with shared subscription available 2",
            spec: "5.0 §3.2.2.3.13",
            version: .v5,
            connAck5(byteProperty: 0x2A, value: 2),  // shared subscription available 2
            .invalidPropertyValue(0x2A),
            .protocolError
        ),
    ]
}
