import MQTTCodec

// 5.0 PUBLISH fixtures whose properties are wrong.

extension PacketFixtures {
    /// 5.0 PUBLISH at QoS 0 to topic "a", empty payload, with the given properties.
    private static func publish5(properties: [UInt8]) -> [UInt8] {
        [
            0x30,  // PUBLISH, QoS 0
            UInt8(4 + properties.count),  // remaining length: 4 + properties
            0x00, 0x01, 0x61,  // topic name "a"
            UInt8(properties.count),  // property length
        ] + properties
    }

    static let invalidPublishProperties: [PacketFixture] = [
        .invalid(
            "5.0 PUBLISH with topic alias 0",
            spec: "MQTT-3.3.2-8",
            version: .v5,
            publish5(properties: [0x23, 0x00, 0x00]),  // topic alias 0
            .invalidPropertyValue(0x23),
            .protocolError
        ),
        .invalid(
            "5.0 PUBLISH with subscription identifier 0",
            spec: "5.0 §3.3.2.3.8",
            version: .v5,
            publish5(properties: [0x0B, 0x00]),  // subscription identifier 0
            .invalidPropertyValue(0x0B),
            .protocolError
        ),
        .invalid(
            "5.0 PUBLISH with a five-byte subscription identifier",
            spec: "5.0 §1.5.5",
            version: .v5,
            publish5(properties: [0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),  // the fourth byte still continues
            .malformedVariableByteInteger,
            .malformedPacket
        ),
        .invalid(
            "5.0 PUBLISH with payload format indicator 2",
            spec: "5.0 §3.3.2.3.2",
            version: .v5,
            publish5(properties: [0x01, 0x02]),  // payload format indicator 2
            .invalidPropertyValue(0x01),
            .protocolError
        ),
        .invalid(
            "5.0 PUBLISH with the topic alias twice",
            spec: "5.0 §3.3.2.3.4",
            version: .v5,
            publish5(properties: [
                0x23, 0x00, 0x01,  // topic alias 1
                0x23, 0x00, 0x02,  // topic alias 2
            ]),
            .duplicateProperty(0x23),
            .protocolError
        ),
        .invalid(
            "5.0 PUBLISH with a session expiry interval",
            spec: "5.0 §2.2.2.2",
            version: .v5,
            publish5(properties: [0x11, 0x00, 0x00, 0x00, 0x01]),  // session expiry interval: not for PUBLISH
            .propertyNotAllowed(0x11, in: .publish),
            .malformedPacket
        ),
        .invalid(
            "5.0 PUBLISH with an unknown property",
            spec: "5.0 §2.2.2.2",
            version: .v5,
            publish5(properties: [0x05, 0x00]),  // identifier 5 is not defined
            .unknownProperty(0x05),
            .malformedPacket
        ),
        .invalid(
            "5.0 PUBLISH with a property value cut short",
            spec: "5.0 §2.2.2.2",
            version: .v5,
            publish5(properties: [0x02, 0x00, 0x00]),  // message expiry interval: two of four bytes
            .invalidPacketLength,
            .malformedPacket
        ),
        .invalid(
            "5.0 PUBLISH with a property length beyond the packet",
            spec: "5.0 §2.2.2.1",
            version: .v5,
            [
                0x30,  // PUBLISH, QoS 0
                0x05,  // remaining length 5
                0x00, 0x01, 0x61,  // topic name "a"
                0x05,  // property length 5, one byte present
                0x01,  // payload format indicator, cut short
            ],
            .invalidPacketLength,
            .malformedPacket
        ),
    ]
}
