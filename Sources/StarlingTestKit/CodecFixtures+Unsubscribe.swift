import MQTTCodec

// UNSUBSCRIBE fixtures.

extension PacketFixtures {
    static let unsubscribe: [PacketFixture] = [
        .valid(
            "3.1.1 UNSUBSCRIBE from two filters",
            version: .v3_1_1,
            [
                0xA2,  // UNSUBSCRIBE, flags 0b0010
                0x0A,  // remaining length 10
                0x00, 0x02,  // packet identifier 2
                0x00, 0x01, 0x61,  // topic filter "a"
                0x00, 0x03, 0x62, 0x2F, 0x63,  // topic filter "b/c"
            ],
            .unsubscribe(MQTTPacket.Unsubscribe(packetID: 2, topicFilters: ["a", "b/c"]))
        ),
        .valid(
            "5.0 UNSUBSCRIBE with a user property",
            version: .v5,
            [
                0xA2,  // UNSUBSCRIBE, flags 0b0010
                0x0D,  // remaining length 13
                0x00, 0x03,  // packet identifier 3
                0x07,  // property length 7
                0x26, 0x00, 0x01, 0x6B, 0x00, 0x01, 0x76,  // user property "k" = "v"
                0x00, 0x01, 0x78,  // topic filter "x"
            ],
            .unsubscribe(
                MQTTPacket.Unsubscribe(
                    packetID: 3,
                    topicFilters: ["x"],
                    properties: MQTTProperties([.userProperty(name: "k", value: "v")])
                )
            )
        ),
        .invalid(
            "UNSUBSCRIBE with flags 0",
            spec: "MQTT-2.1.3-1",
            version: .v3_1_1,
            [
                0xA0,  // UNSUBSCRIBE, flags 0b0000 instead of 0b0010
                0x05,  // remaining length 5
                0x00, 0x01,  // packet identifier 1
                0x00, 0x01, 0x61,  // topic filter "a"
            ],
            .reservedFlagsSet(.unsubscribe),
            .malformedPacket
        ),
        .invalid(
            "UNSUBSCRIBE with no topic filter",
            spec: "MQTT-3.10.3-2",
            version: .v3_1_1,
            [
                0xA2,  // UNSUBSCRIBE, flags 0b0010
                0x02,  // remaining length 2
                0x00, 0x01,  // packet identifier 1, then nothing
            ],
            .emptySubscriptionList,
            .protocolError
        ),
        .invalid(
            "5.0 UNSUBSCRIBE with a subscription identifier",
            spec: "5.0 §2.2.2.2",
            version: .v5,
            [
                0xA2,  // UNSUBSCRIBE, flags 0b0010
                0x08,  // remaining length 8
                0x00, 0x01,  // packet identifier 1
                0x02,  // property length 2
                0x0B, 0x01,  // subscription identifier: PUBLISH/SUBSCRIBE only
                0x00, 0x01, 0x61,  // topic filter "a"
            ],
            .propertyNotAllowed(0x0B, in: .unsubscribe),
            .malformedPacket
        ),
    ]
}
