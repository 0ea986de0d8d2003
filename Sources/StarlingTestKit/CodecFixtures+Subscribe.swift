import MQTTCodec

// SUBSCRIBE fixtures. Topic filters are only checked to be UTF-8: "a/#/b" decodes.

extension PacketFixtures {
    /// SUBSCRIBE, packet identifier 1, one filter "a" with the given options byte.
    private static func subscribe(optionsByte: UInt8, version: ProtocolVersion) -> [UInt8] {
        let hasProperties = version == .v5
        return [
            0x82,  // SUBSCRIBE, flags 0b0010
            hasProperties ? 0x07 : 0x06,  // remaining length
            0x00, 0x01,  // packet identifier 1
        ] + (hasProperties ? [0x00] : []) + [  // property length 0 (5.0)
            0x00, 0x01, 0x61,  // topic filter "a"
            optionsByte,  // subscription options
        ]
    }

    static let subscribe: [PacketFixture] = validSubscribe + invalidSubscribe

    private static let validSubscribe: [PacketFixture] = [
        .valid(
            "3.1.1 SUBSCRIBE to two filters",
            version: .v3_1_1,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x0C,  // remaining length 12
                0x00, 0x0A,  // packet identifier 10
                0x00, 0x03, 0x61, 0x2F, 0x2B,  // topic filter "a/+"
                0x01,  // requested QoS 1
                0x00, 0x01, 0x23,  // topic filter "#"
                0x02,  // requested QoS 2
            ],
            .subscribe(
                MQTTPacket.Subscribe(
                    packetID: 10,
                    subscriptions: [
                        MQTTPacket.Subscription(
                            topicFilter: "a/+",
                            options: MQTTPacket.SubscriptionOptions(qos: .atLeastOnce)
                        ),
                        MQTTPacket.Subscription(
                            topicFilter: "#",
                            options: MQTTPacket.SubscriptionOptions(qos: .exactlyOnce)
                        ),
                    ]
                )
            )
        ),
        .valid(
            "5.0 SUBSCRIBE with options, a subscription identifier and a shared subscription",
            version: .v5,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x1F,  // remaining length 31
                0x00, 0x01,  // packet identifier 1
                0x09,  // property length 9
                0x0B, 0x0A,  // subscription identifier 10
                0x26, 0x00, 0x01, 0x6B, 0x00, 0x01, 0x76,  // user property "k" = "v"
                0x00, 0x03, 0x73, 0x2F, 0x23,  // topic filter "s/#"
                0x2D,  // options: retain handling 2, retain as published, no local, QoS 1
                0x00, 0x0A, 0x24, 0x73, 0x68, 0x61, 0x72, 0x65, 0x2F, 0x67, 0x2F, 0x74,  // topic filter "$share/g/t"
                0x10,  // options: retain handling 1, QoS 0
            ],
            .subscribe(
                MQTTPacket.Subscribe(
                    packetID: 1,
                    subscriptions: [
                        MQTTPacket.Subscription(
                            topicFilter: "s/#",
                            options: MQTTPacket.SubscriptionOptions(
                                qos: .atLeastOnce,
                                noLocal: true,
                                retainAsPublished: true,
                                retainHandling: .doNotSend
                            )
                        ),
                        MQTTPacket.Subscription(
                            topicFilter: "$share/g/t",
                            options: MQTTPacket.SubscriptionOptions(
                                qos: .atMostOnce,
                                retainHandling: .sendOnNewSubscribe
                            )
                        ),
                    ],
                    properties: MQTTProperties([.subscriptionIdentifier(10), .userProperty(name: "k", value: "v")])
                )
            )
        ),
        .valid(
            "SUBSCRIBE to an invalid filter decodes: the broker answers 0x8F",
            version: .v3_1_1,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x0A,  // remaining length 10
                0x00, 0x01,  // packet identifier 1
                0x00, 0x05, 0x61, 0x2F, 0x23, 0x2F, 0x62,  // topic filter "a/#/b"
                0x00,  // requested QoS 0
            ],
            .subscribe(
                MQTTPacket.Subscribe(
                    packetID: 1,
                    subscriptions: [
                        MQTTPacket.Subscription(
                            topicFilter: "a/#/b",
                            options: MQTTPacket.SubscriptionOptions(qos: .atMostOnce)
                        )
                    ]
                )
            )
        ),
        .valid(
            "3.1 SUBSCRIBE re-sent with DUP",
            spec: "3.1 §2.1",
            version: .v3_1,
            [
                0x8A,  // SUBSCRIBE, DUP, flags 0b0010
                0x06,  // remaining length 6
                0x00, 0x01,  // packet identifier 1
                0x00, 0x01, 0x61,  // topic filter "a"
                0x00,  // requested QoS 0
            ],
            .subscribe(
                MQTTPacket.Subscribe(
                    packetID: 1,
                    subscriptions: [
                        MQTTPacket.Subscription(
                            topicFilter: "a",
                            options: MQTTPacket.SubscriptionOptions(qos: .atMostOnce)
                        )
                    ]
                )
            ),
            canonical: false
        ),
    ]

    private static let invalidSubscribe: [PacketFixture] = [
        .invalid(
            "SUBSCRIBE with flags 0",
            spec: "MQTT-2.1.3-1",
            version: .v3_1_1,
            [
                0x80,  // SUBSCRIBE, flags 0b0000 instead of 0b0010
                0x06,  // remaining length 6
                0x00, 0x01,  // packet identifier 1
                0x00, 0x01, 0x61,  // topic filter "a"
                0x00,  // requested QoS 0
            ],
            .reservedFlagsSet(.subscribe),
            .malformedPacket
        ),
        .invalid(
            "3.1.1 SUBSCRIBE with no topic filter",
            spec: "MQTT-3.8.3-3",
            version: .v3_1_1,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x02,  // remaining length 2
                0x00, 0x01,  // packet identifier 1, then nothing
            ],
            .emptySubscriptionList,
            .protocolError
        ),
        .invalid(
            "5.0 SUBSCRIBE with no topic filter",
            spec: "MQTT-3.8.3-2",
            version: .v5,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x03,  // remaining length 3
                0x00, 0x01,  // packet identifier 1
                0x00,  // property length 0, then nothing
            ],
            .emptySubscriptionList,
            .protocolError
        ),
        .invalid(
            "SUBSCRIBE with packet identifier 0",
            spec: "MQTT-2.2.1-3",
            version: .v3_1_1,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x06,  // remaining length 6
                0x00, 0x00,  // packet identifier 0
                0x00, 0x01, 0x61,  // topic filter "a"
                0x00,  // requested QoS 0
            ],
            .packetIdentifierZero,
            .protocolError
        ),
        .invalid(
            "3.1.1 subscription options with a reserved bit",
            spec: "MQTT-3-8.3-4",
            version: .v3_1_1,
            subscribe(optionsByte: 0x04, version: .v3_1_1),  // bit 2 is reserved in 3.1.1
            .invalidSubscriptionOptions,
            .malformedPacket
        ),
        .invalid(
            "3.1.1 subscription requesting QoS 3",
            spec: "MQTT-3-8.3-4",
            version: .v3_1_1,
            subscribe(optionsByte: 0x03, version: .v3_1_1),  // requested QoS 3
            .invalidSubscriptionOptions,
            .malformedPacket
        ),
        .invalid(
            "5.0 subscription options with reserved bits 6 and 7",
            spec: "MQTT-3.8.3-5",
            version: .v5,
            subscribe(optionsByte: 0x40, version: .v5),  // bit 6 set
            .invalidSubscriptionOptions,
            .malformedPacket
        ),
        .invalid(
            "5.0 subscription options with retain handling 3",
            spec: "5.0 §3.8.3.1",
            version: .v5,
            subscribe(optionsByte: 0x30, version: .v5),  // retain handling 3
            .invalidRetainHandling,
            .protocolError
        ),
        .invalid(
            "5.0 subscription options with maximum QoS 3",
            spec: "5.0 §3.8.3.1",
            version: .v5,
            subscribe(optionsByte: 0x03, version: .v5),  // maximum QoS 3
            .invalidSubscriptionQoS,
            .protocolError
        ),
        .invalid(
            "5.0 SUBSCRIBE with two subscription identifiers",
            spec: "5.0 §3.8.2.1.2",
            version: .v5,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x0B,  // remaining length 11
                0x00, 0x01,  // packet identifier 1
                0x04,  // property length 4
                0x0B, 0x01,  // subscription identifier 1
                0x0B, 0x02,  // subscription identifier 2: only PUBLISH may repeat it
                0x00, 0x01, 0x61,  // topic filter "a"
                0x00,  // options: QoS 0
            ],
            .duplicateProperty(0x0B),
            .protocolError
        ),
        .invalid(
            "SUBSCRIBE topic filter without its options byte",
            spec: "MQTT-3.8.3-1",
            version: .v3_1_1,
            [
                0x82,  // SUBSCRIBE, flags 0b0010
                0x05,  // remaining length 5
                0x00, 0x01,  // packet identifier 1
                0x00, 0x01, 0x61,  // topic filter "a", then no options byte
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
    ]
}
