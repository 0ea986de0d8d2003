import MQTTCodec

extension CodecPacketGenerator {
    /// Where a properties section sits.
    public enum PropertyPlace: Sendable, CaseIterable {
        case connect, connAck, publish, will, acknowledgement, subscribe, subAck, unsubscribe, unsubAck, disconnect,
            auth
    }

    /// The property identifiers 5.0 Table 2-4 allows in each place.
    public static func allowedIdentifiers(_ place: PropertyPlace) -> [UInt8] {
        switch place {
        case .connect: [0x11, 0x15, 0x16, 0x17, 0x19, 0x21, 0x22, 0x26, 0x27]
        case .connAck:
            [0x11, 0x12, 0x13, 0x15, 0x16, 0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A]
        case .publish: [0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x23, 0x26]
        case .will: [0x01, 0x02, 0x03, 0x08, 0x09, 0x18, 0x26]
        case .acknowledgement, .subAck, .unsubAck: [0x1F, 0x26]
        case .subscribe: [0x0B, 0x26]
        case .unsubscribe: [0x26]
        case .disconnect: [0x11, 0x1C, 0x1F, 0x26]
        case .auth: [0x15, 0x16, 0x1F, 0x26]
        }
    }

    /// Random properties for `place`: none before 5.0; in 5.0 each allowed property with some
    /// chance, user properties (and, in PUBLISH, subscription identifiers) several times,
    /// in a random order.
    public mutating func properties(_ place: PropertyPlace, _ version: ProtocolVersion) -> MQTTProperties {
        guard version == .v5, random.chance(0.7) else { return MQTTProperties() }
        var properties: [MQTTProperty] = []
        for identifier in Self.allowedIdentifiers(place) {
            let mayRepeat = identifier == 0x26 || (identifier == 0x0B && place == .publish)
            let count = mayRepeat ? random.size(upTo: 3) : (random.chance(0.3) ? 1 : 0)
            for _ in 0..<count { properties.append(property(identifier)) }
        }
        properties.shuffle(using: &random)
        return MQTTProperties(properties)
    }

    mutating func ackProperties(_ version: ProtocolVersion) -> MQTTProperties {
        properties(.acknowledgement, version)
    }

    /// A property with a value inside the range the specification allows.
    public mutating func property(_ identifier: UInt8) -> MQTTProperty {
        switch identifier {
        case 0x01: .payloadFormatIndicator(flag())
        case 0x02: .messageExpiryInterval(fourBytes())
        case 0x03: .contentType(string())
        case 0x08: .responseTopic(topicName())
        case 0x09: .correlationData(bytes(upTo: 32))
        // 5.0 §3.3.2.3.8: 1…268,435,455.
        case 0x0B: .subscriptionIdentifier(UInt32.random(in: 1...268_435_455, using: &random))
        case 0x11: .sessionExpiryInterval(fourBytes())
        case 0x12: .assignedClientIdentifier(string())
        case 0x13: .serverKeepAlive(twoBytes())
        case 0x15: .authenticationMethod(string())
        case 0x16: .authenticationData(bytes(upTo: 32))
        case 0x17: .requestProblemInformation(flag())
        case 0x18: .willDelayInterval(fourBytes())
        case 0x19: .requestResponseInformation(flag())
        case 0x1A: .responseInformation(string())
        case 0x1C: .serverReference(string())
        case 0x1F: .reasonString(string())
        case 0x21: .receiveMaximum(UInt16.random(in: 1...UInt16.max, using: &random))
        case 0x22: .topicAliasMaximum(twoBytes())
        case 0x23: .topicAlias(UInt16.random(in: 1...UInt16.max, using: &random))
        case 0x24: .maximumQoS(flag())
        case 0x25: .retainAvailable(flag())
        case 0x26: .userProperty(name: string(), value: string())
        case 0x27: .maximumPacketSize(UInt32.random(in: 1...UInt32.max, using: &random))
        case 0x28: .wildcardSubscriptionAvailable(flag())
        case 0x29: .subscriptionIdentifiersAvailable(flag())
        case 0x2A: .sharedSubscriptionAvailable(flag())
        default: preconditionFailure("no property 0x\(String(identifier, radix: 16))")
        }
    }

    private mutating func flag() -> UInt8 { UInt8.random(in: 0...1, using: &random) }

    /// Edge values more often than uniform sampling would give them.
    private mutating func twoBytes() -> UInt16 {
        random.chance(0.2) ? random.pick([0, 1, UInt16.max]) : UInt16.random(in: 0...UInt16.max, using: &random)
    }

    private mutating func fourBytes() -> UInt32 {
        random.chance(0.2) ? random.pick([0, 1, UInt32.max]) : UInt32.random(in: 0...UInt32.max, using: &random)
    }
}
