import MQTTCodec

// PUBACK, PUBREC, PUBREL and PUBCOMP fixtures, with the 5.0 short forms.

extension PacketFixtures {
    static let publishAcknowledgements: [PacketFixture] = validAcknowledgements + invalidAcknowledgements

    private static let validAcknowledgements: [PacketFixture] = [
        .valid(
            "3.1.1 PUBACK",
            version: .v3_1_1,
            [
                0x40,  // PUBACK
                0x02,  // remaining length 2
                0x00, 0x01,  // packet identifier 1
            ],
            .pubAck(MQTTPacket.PubAck(packetID: 1))
        ),
        .valid(
            "3.1.1 PUBREC",
            version: .v3_1_1,
            [
                0x50,  // PUBREC
                0x02,  // remaining length 2
                0x00, 0x02,  // packet identifier 2
            ],
            .pubRec(MQTTPacket.PubRec(packetID: 2))
        ),
        .valid(
            "3.1.1 PUBREL",
            version: .v3_1_1,
            [
                0x62,  // PUBREL, flags 0b0010
                0x02,  // remaining length 2
                0x00, 0x03,  // packet identifier 3
            ],
            .pubRel(MQTTPacket.PubRel(packetID: 3))
        ),
        .valid(
            "3.1.1 PUBCOMP",
            version: .v3_1_1,
            [
                0x70,  // PUBCOMP
                0x02,  // remaining length 2
                0x01, 0x04,  // packet identifier 260
            ],
            .pubComp(MQTTPacket.PubComp(packetID: 260))
        ),
        .valid(
            "3.1 PUBREL re-sent with DUP",
            spec: "3.1 §2.1",
            version: .v3_1,
            [
                0x6A,  // PUBREL, DUP, flags 0b0010
                0x02,  // remaining length 2
                0x00, 0x0A,  // packet identifier 10
            ],
            .pubRel(MQTTPacket.PubRel(packetID: 10)),
            canonical: false
        ),
        .valid(
            "5.0 PUBACK short form",
            spec: "5.0 §3.4.2.1",
            version: .v5,
            [
                0x40,  // PUBACK
                0x02,  // remaining length 2: reason 0x00, no properties
                0x00, 0x05,  // packet identifier 5
            ],
            .pubAck(MQTTPacket.PubAck(packetID: 5))
        ),
        .valid(
            "5.0 PUBACK with a reason code and no property length",
            spec: "5.0 §3.4.2.2.1",
            version: .v5,
            [
                0x40,  // PUBACK
                0x03,  // remaining length 3: below 4, no property length
                0x00, 0x06,  // packet identifier 6
                0x10,  // reason code 0x10 no matching subscribers
            ],
            .pubAck(MQTTPacket.PubAck(packetID: 6, reasonCode: .noMatchingSubscribers))
        ),
        .valid(
            "5.0 PUBREC with a reason string",
            version: .v5,
            [
                0x50,  // PUBREC
                0x09,  // remaining length 9
                0x00, 0x07,  // packet identifier 7
                0x80,  // reason code 0x80 unspecified error
                0x05,  // property length 5
                0x1F, 0x00, 0x02, 0x6E, 0x6F,  // reason string "no"
            ],
            .pubRec(
                MQTTPacket.PubRec(
                    packetID: 7,
                    reasonCode: .unspecifiedError,
                    properties: MQTTProperties([.reasonString("no")])
                )
            )
        ),
        .valid(
            "5.0 PUBREL for an unknown packet identifier",
            version: .v5,
            [
                0x62,  // PUBREL, flags 0b0010
                0x03,  // remaining length 3
                0x00, 0x08,  // packet identifier 8
                0x92,  // reason code 0x92 packet identifier not found
            ],
            .pubRel(MQTTPacket.PubRel(packetID: 8, reasonCode: .packetIdentifierNotFound))
        ),
        .valid(
            "5.0 PUBCOMP with success and an empty property length",
            version: .v5,
            [
                0x70,  // PUBCOMP
                0x04,  // remaining length 4
                0x00, 0x09,  // packet identifier 9
                0x00,  // reason code 0x00 success
                0x00,  // property length 0
            ],
            .pubComp(MQTTPacket.PubComp(packetID: 9)),
            canonical: false
        ),
    ]

    private static let invalidAcknowledgements: [PacketFixture] = [
        .invalid(
            "PUBREL with flags 0",
            spec: "MQTT-2.1.3-1",
            version: .v3_1_1,
            [
                0x60,  // PUBREL, flags 0b0000 instead of 0b0010
                0x02,  // remaining length 2
                0x00, 0x01,  // packet identifier 1
            ],
            .reservedFlagsSet(.pubRel),
            .malformedPacket
        ),
        .invalid(
            "3.1.1 PUBREL with DUP",
            spec: "MQTT-2.1.3-1",
            version: .v3_1_1,
            [
                0x6A,  // PUBREL, flags 0b1010: DUP is 3.1 only
                0x02,  // remaining length 2
                0x00, 0x01,  // packet identifier 1
            ],
            .reservedFlagsSet(.pubRel),
            .malformedPacket
        ),
        .invalid(
            "PUBACK with flags 0b0010",
            spec: "MQTT-2.1.3-1",
            version: .v5,
            [
                0x42,  // PUBACK, flags 0b0010 instead of 0
                0x02,  // remaining length 2
                0x00, 0x01,  // packet identifier 1
            ],
            .reservedFlagsSet(.pubAck),
            .malformedPacket
        ),
        .invalid(
            "3.1.1 PUBACK longer than a packet identifier",
            spec: "3.1.1 §3.4.1",
            version: .v3_1_1,
            [
                0x40,  // PUBACK
                0x03,  // remaining length 3: 3.1.1 PUBACK is always 2
                0x00, 0x01,  // packet identifier 1
                0x10,  // left over
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "PUBACK shorter than a packet identifier",
            spec: "5.0 §3.4.2",
            version: .v5,
            [
                0x40,  // PUBACK
                0x01,  // remaining length 1
                0x00,  // half a packet identifier
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "PUBACK before any CONNECT is read as 3.1.1",
            spec: "3.1.1 §3.4.1",
            version: nil,
            [
                0x40,  // PUBACK
                0x03,  // remaining length 3: a 5.0 form, too long for 3.1.1
                0x00, 0x01,  // packet identifier 1
                0x10,  // left over
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "PUBACK for packet identifier 0",
            spec: "MQTT-2.2.1-3",
            version: .v3_1_1,
            [
                0x40,  // PUBACK
                0x02,  // remaining length 2
                0x00, 0x00,  // packet identifier 0
            ],
            .packetIdentifierZero,
            .protocolError
        ),
        .invalid(
            "5.0 PUBACK with a PUBREL reason code",
            spec: "MQTT-3.4.2-1",
            version: .v5,
            [
                0x40,  // PUBACK
                0x03,  // remaining length 3
                0x00, 0x01,  // packet identifier 1
                0x92,  // reason code 0x92: PUBREL/PUBCOMP only
            ],
            .invalidReasonCode(0x92),
            .malformedPacket
        ),
        .invalid(
            "5.0 PUBCOMP with a PUBACK reason code",
            spec: "MQTT-3.7.2-1",
            version: .v5,
            [
                0x70,  // PUBCOMP
                0x03,  // remaining length 3
                0x00, 0x01,  // packet identifier 1
                0x10,  // reason code 0x10: PUBACK/PUBREC only
            ],
            .invalidReasonCode(0x10),
            .malformedPacket
        ),
        .invalid(
            "5.0 PUBACK with a topic alias",
            spec: "5.0 §2.2.2.2",
            version: .v5,
            [
                0x40,  // PUBACK
                0x07,  // remaining length 7
                0x00, 0x01,  // packet identifier 1
                0x00,  // reason code 0x00
                0x03,  // property length 3
                0x23, 0x00, 0x01,  // topic alias: PUBLISH only
            ],
            .propertyNotAllowed(0x23, in: .pubAck),
            .malformedPacket
        ),
        .invalid(
            "5.0 PUBACK with the reason string twice",
            spec: "5.0 §3.4.2.2.2",
            version: .v5,
            [
                0x40,  // PUBACK
                0x0A,  // remaining length 10
                0x00, 0x01,  // packet identifier 1
                0x00,  // reason code 0x00
                0x06,  // property length 6
                0x1F, 0x00, 0x00,  // reason string ""
                0x1F, 0x00, 0x00,  // reason string "" again
            ],
            .duplicateProperty(0x1F),
            .protocolError
        ),
    ]
}
