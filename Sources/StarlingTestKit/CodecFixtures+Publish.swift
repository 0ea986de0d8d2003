import MQTTCodec
import NIOCore

// PUBLISH fixtures, valid ones first.

extension PacketFixtures {
    static let publish: [PacketFixture] = validPublish + invalidPublish + invalidPublishProperties

    private static let validPublish: [PacketFixture] = [
        .valid(
            "3.1.1 PUBLISH at QoS 0",
            version: .v3_1_1,
            [
                0x30,  // PUBLISH, QoS 0
                0x07,  // remaining length 7
                0x00, 0x03, 0x61, 0x2F, 0x62,  // topic name "a/b"
                0x68, 0x69,  // payload "hi"
            ],
            .publish(MQTTPacket.Publish(topic: "a/b", payload: .fixture("hi")))
        ),
        .valid(
            "3.1.1 PUBLISH at QoS 1, DUP and retained",
            version: .v3_1_1,
            [
                0x3B,  // PUBLISH, DUP, QoS 1, retain
                0x08,  // remaining length 8
                0x00, 0x03, 0x61, 0x2F, 0x62,  // topic name "a/b"
                0x00, 0x07,  // packet identifier 7
                0x68,  // payload "h"
            ],
            .publish(
                MQTTPacket.Publish(
                    topic: "a/b",
                    payload: .fixture("h"),
                    qos: .atLeastOnce,
                    retain: true,
                    dup: true,
                    packetID: 7
                )
            )
        ),
        .valid(
            "3.1 PUBLISH at QoS 2",
            version: .v3_1,
            [
                0x34,  // PUBLISH, QoS 2
                0x07,  // remaining length 7
                0x00, 0x01, 0x78,  // topic name "x"
                0x00, 0x01,  // packet identifier 1
                0x6F, 0x6B,  // payload "ok"
            ],
            .publish(MQTTPacket.Publish(topic: "x", payload: .fixture("ok"), qos: .exactlyOnce, packetID: 1))
        ),
        .valid(
            "PUBLISH before any CONNECT is read as 3.1.1",
            version: nil,
            [
                0x30,  // PUBLISH, QoS 0
                0x04,  // remaining length 4
                0x00, 0x01, 0x61,  // topic name "a"
                0x00,  // payload: one byte 0x00 (a 5.0 reading would take it as a property length)
            ],
            .publish(MQTTPacket.Publish(topic: "a", payload: .fixture([0x00])))
        ),
        .valid(
            "3.1.1 PUBLISH with a two-byte remaining length",
            version: .v3_1_1,
            [
                0x30,  // PUBLISH, QoS 0
                0xCB, 0x01,  // remaining length 203 (0x4B + 1 × 128)
                0x00, 0x01, 0x61,  // topic name "a"
            ] + [UInt8](repeating: 0x2A, count: 200),  // payload: 200 × "*"
            .publish(MQTTPacket.Publish(topic: "a", payload: .fixture(String(repeating: "*", count: 200))))
        ),
        .valid(
            "5.0 PUBLISH with properties",
            version: .v5,
            [
                0x32,  // PUBLISH, QoS 1
                0x24,  // remaining length 36
                0x00, 0x03, 0x73, 0x2F, 0x31,  // topic name "s/1"
                0x00, 0x0A,  // packet identifier 10
                0x1A,  // property length 26
                0x01, 0x01,  // payload format indicator 1 (UTF-8)
                0x02, 0x00, 0x00, 0x0E, 0x10,  // message expiry interval 3600 s
                0x0B, 0x05,  // subscription identifier 5
                0x0B, 0x80, 0x01,  // subscription identifier 128 (two bytes)
                0x26, 0x00, 0x01, 0x61, 0x00, 0x01, 0x31,  // user property "a" = "1"
                0x26, 0x00, 0x01, 0x61, 0x00, 0x01, 0x32,  // user property "a" = "2"
                0x7B, 0x7D,  // payload "{}"
            ],
            .publish(
                MQTTPacket.Publish(
                    topic: "s/1",
                    payload: .fixture("{}"),
                    qos: .atLeastOnce,
                    packetID: 10,
                    properties: MQTTProperties([
                        .payloadFormatIndicator(1), .messageExpiryInterval(3600), .subscriptionIdentifier(5),
                        .subscriptionIdentifier(128), .userProperty(name: "a", value: "1"),
                        .userProperty(name: "a", value: "2"),
                    ])
                )
            )
        ),
        .valid(
            "5.0 PUBLISH with an empty topic name and a topic alias",
            spec: "5.0 §3.3.2.1",
            version: .v5,
            [
                0x30,  // PUBLISH, QoS 0
                0x07,  // remaining length 7
                0x00, 0x00,  // topic name "" (the alias stands for it)
                0x03,  // property length 3
                0x23, 0x00, 0x05,  // topic alias 5
                0x78,  // payload "x"
            ],
            .publish(
                MQTTPacket.Publish(topic: "", payload: .fixture("x"), properties: MQTTProperties([.topicAlias(5)]))
            )
        ),
        .valid(
            "5.0 PUBLISH with request/response properties and an empty payload",
            version: .v5,
            [
                0x30,  // PUBLISH, QoS 0
                0x12,  // remaining length 18
                0x00, 0x01, 0x72,  // topic name "r"
                0x0E,  // property length 14
                0x08, 0x00, 0x03, 0x72, 0x2F, 0x31,  // response topic "r/1"
                0x09, 0x00, 0x02, 0x01, 0x02,  // correlation data 01 02
                0x03, 0x00, 0x00,  // content type ""
            ],
            .publish(
                MQTTPacket.Publish(
                    topic: "r",
                    payload: .fixture(""),
                    properties: MQTTProperties([
                        .responseTopic("r/1"), .correlationData(.fixture([0x01, 0x02])), .contentType(""),
                    ])
                )
            )
        ),
    ]

    private static let invalidPublish: [PacketFixture] = [
        .invalid(
            "PUBLISH with QoS 3",
            spec: "MQTT-3.3.1-4",
            version: .v3_1_1,
            [
                0x36,  // PUBLISH, QoS bits 11
                0x05,  // remaining length 5
                0x00, 0x01, 0x61,  // topic name "a"
                0x00, 0x01,  // packet identifier 1
            ],
            .invalidQoS,
            .malformedPacket
        ),
        .invalid(
            "PUBLISH at QoS 0 with DUP set",
            spec: "MQTT-3.3.1-2",
            version: .v5,
            [
                0x38,  // PUBLISH, DUP, QoS 0
                0x04,  // remaining length 4
                0x00, 0x01, 0x61,  // topic name "a"
                0x00,  // property length 0
            ],
            .dupFlagSetForQoS0,
            .malformedPacket
        ),
        .invalid(
            "PUBLISH topic name with a single-level wildcard",
            spec: "MQTT-3.3.2-2",
            version: .v3_1_1,
            [
                0x30,  // PUBLISH, QoS 0
                0x05,  // remaining length 5
                0x00, 0x03, 0x61, 0x2F, 0x2B,  // topic name "a/+"
            ],
            .invalidTopicName,
            .topicNameInvalid
        ),
        .invalid(
            "PUBLISH topic name with a multi-level wildcard",
            spec: "MQTT-3.3.2-2",
            version: .v5,
            [
                0x30,  // PUBLISH, QoS 0
                0x04,  // remaining length 4
                0x00, 0x01, 0x23,  // topic name "#"
                0x00,  // property length 0
            ],
            .invalidTopicName,
            .topicNameInvalid
        ),
        .invalid(
            "3.1.1 PUBLISH with an empty topic name",
            spec: "MQTT-4.7.3-1",
            version: .v3_1_1,
            [
                0x30,  // PUBLISH, QoS 0
                0x02,  // remaining length 2
                0x00, 0x00,  // topic name ""
            ],
            .topicNameMissing,
            .protocolError
        ),
        .invalid(
            "5.0 PUBLISH with an empty topic name and no topic alias",
            spec: "5.0 §3.3.2.1",
            version: .v5,
            [
                0x30,  // PUBLISH, QoS 0
                0x03,  // remaining length 3
                0x00, 0x00,  // topic name ""
                0x00,  // property length 0
            ],
            .topicNameMissing,
            .protocolError
        ),
        .invalid(
            "PUBLISH at QoS 1 with packet identifier 0",
            spec: "MQTT-2.2.1-3",
            version: .v3_1_1,
            [
                0x32,  // PUBLISH, QoS 1
                0x05,  // remaining length 5
                0x00, 0x01, 0x61,  // topic name "a"
                0x00, 0x00,  // packet identifier 0
            ],
            .packetIdentifierZero,
            .protocolError
        ),
        .invalid(
            "PUBLISH topic name encoding a UTF-16 surrogate",
            spec: "MQTT-1.5.4-1",
            version: .v3_1_1,
            [
                0x30,  // PUBLISH, QoS 0
                0x05,  // remaining length 5
                0x00, 0x03, 0xED, 0xBF, 0xBF,  // topic name: U+DFFF as UTF-8
            ],
            .malformedUTF8,
            .malformedPacket
        ),
        .invalid(
            "PUBLISH with a five-byte remaining length",
            spec: "5.0 §1.5.5",
            version: .v3_1_1,
            [
                0x30,  // PUBLISH, QoS 0
                0xFF, 0xFF, 0xFF, 0xFF,  // remaining length: the fourth byte still continues
            ],
            .malformedVariableByteInteger,
            .malformedPacket
        ),
        .invalid(
            "PUBLISH larger than the maximum packet size, rejected from its header",
            spec: "5.0 §3.2.2.3.6",
            version: .v5,
            maximumPacketSize: 16,
            [
                0x30,  // PUBLISH, QoS 0
                0x64,  // remaining length 100: 102 bytes in all, the body is not needed to reject it
            ],
            .packetTooLarge(size: 102, maximum: 16),
            .packetTooLarge
        ),
    ]
}
