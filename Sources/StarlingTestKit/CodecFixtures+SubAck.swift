import MQTTCodec

// SUBACK and UNSUBACK fixtures.

extension PacketFixtures {
    static let subAck: [PacketFixture] = [
        .valid(
            "3.1.1 SUBACK granting QoS 0 and 2 and refusing one",
            version: .v3_1_1,
            [
                0x90,  // SUBACK
                0x05,  // remaining length 5
                0x00, 0x0A,  // packet identifier 10
                0x00, 0x02, 0x80,  // granted QoS 0, granted QoS 2, failure
            ],
            .subAck(MQTTPacket.SubAck(packetID: 10, reasonCodes: [.grantedQoS0, .grantedQoS2, .unspecifiedError]))
        ),
        .valid(
            "5.0 SUBACK with reason codes",
            version: .v5,
            [
                0x90,  // SUBACK
                0x06,  // remaining length 6
                0x00, 0x0B,  // packet identifier 11
                0x00,  // property length 0
                0x01, 0x8F, 0xA2,  // granted QoS 1, topic filter invalid, wildcards not supported
            ],
            .subAck(
                MQTTPacket.SubAck(
                    packetID: 11,
                    reasonCodes: [.grantedQoS1, .topicFilterInvalid, .wildcardSubscriptionsNotSupported]
                )
            )
        ),
        .invalid(
            "3.1.1 SUBACK granting QoS 3",
            spec: "3.1.1 §3.9.3",
            version: .v3_1_1,
            [
                0x90,  // SUBACK
                0x03,  // remaining length 3
                0x00, 0x01,  // packet identifier 1
                0x03,  // return code 3: reserved
            ],
            .invalidReasonCode(0x03),
            .malformedPacket
        ),
        .invalid(
            "3.1.1 SUBACK with a 5.0 reason code",
            spec: "3.1.1 §3.9.3",
            version: .v3_1_1,
            [
                0x90,  // SUBACK
                0x03,  // remaining length 3
                0x00, 0x01,  // packet identifier 1
                0x8F,  // 0x8F topic filter invalid: 5.0 only
            ],
            .invalidReasonCode(0x8F),
            .malformedPacket
        ),
        .invalid(
            "5.0 SUBACK with a PUBACK reason code",
            spec: "MQTT-3.9.3-2",
            version: .v5,
            [
                0x90,  // SUBACK
                0x04,  // remaining length 4
                0x00, 0x01,  // packet identifier 1
                0x00,  // property length 0
                0x10,  // 0x10 no matching subscribers: PUBACK/PUBREC only
            ],
            .invalidReasonCode(0x10),
            .malformedPacket
        ),
        .valid(
            "3.1.1 UNSUBACK",
            version: .v3_1_1,
            [
                0xB0,  // UNSUBACK
                0x02,  // remaining length 2
                0x00, 0x02,  // packet identifier 2
            ],
            .unsubAck(MQTTPacket.UnsubAck(packetID: 2))
        ),
        .valid(
            "5.0 UNSUBACK with reason codes",
            version: .v5,
            [
                0xB0,  // UNSUBACK
                0x05,  // remaining length 5
                0x00, 0x02,  // packet identifier 2
                0x00,  // property length 0
                0x00, 0x11,  // success, no subscription existed
            ],
            .unsubAck(MQTTPacket.UnsubAck(packetID: 2, reasonCodes: [.success, .noSubscriptionExisted]))
        ),
        .invalid(
            "3.1.1 UNSUBACK with a payload",
            spec: "3.1.1 §3.11.3",
            version: .v3_1_1,
            [
                0xB0,  // UNSUBACK
                0x03,  // remaining length 3: 3.1.1 UNSUBACK is always 2
                0x00, 0x02,  // packet identifier 2
                0x00,  // left over
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "5.0 UNSUBACK with a SUBACK reason code",
            spec: "MQTT-3.11.3-2",
            version: .v5,
            [
                0xB0,  // UNSUBACK
                0x04,  // remaining length 4
                0x00, 0x02,  // packet identifier 2
                0x00,  // property length 0
                0x02,  // 0x02 granted QoS 2: SUBACK only
            ],
            .invalidReasonCode(0x02),
            .malformedPacket
        ),
    ]
}
