import NIOCore

extension MQTTProperty {
    /// Reads the value of the property `identifier`, whose type is `valueType`, and checks
    /// the value range the specification gives it.
    static func read(
        identifier: UInt8,
        valueType: PropertyValueType,
        from buffer: inout ByteBuffer
    ) throws -> MQTTProperty {
        let property: MQTTProperty?
        switch valueType {
        case .byte:
            let value = try buffer.readMQTTByte()
            property = byteProperty(identifier, value)
        case .twoByteInteger:
            let value = try buffer.readMQTTTwoByteInteger()
            property = twoByteProperty(identifier, value)
        case .fourByteInteger:
            let value = try buffer.readMQTTFourByteInteger()
            property = fourByteProperty(identifier, value)
        case .variableByteInteger:
            let value = try buffer.readMQTTVariableByteInteger()
            // 5.0 §3.3.2.3.8: a Subscription Identifier of 0 is a Protocol Error; four
            // bytes already cap it at 268,435,455.
            guard value != 0 else { throw MQTTCodecError.invalidPropertyValue(identifier) }
            property = .subscriptionIdentifier(UInt32(value))
        case .utf8String:
            let value = try buffer.readMQTTString()
            property = stringProperty(identifier, value)
        case .binaryData:
            let value = try buffer.readMQTTBinaryData()
            property = identifier == 0x09 ? .correlationData(value) : .authenticationData(value)
        case .utf8StringPair:
            let (name, value) = try buffer.readMQTTStringPair()
            property = .userProperty(name: name, value: value)
        }
        guard let property else { throw MQTTCodecError.invalidPropertyValue(identifier) }
        return property
    }

    /// Byte properties are all 0/1 flags except Maximum QoS, which is 0 or 1 as well
    /// (5.0 §3.2.2.3.4: absent means 2). Any other value is a Protocol Error.
    private static func byteProperty(_ identifier: UInt8, _ value: UInt8) -> MQTTProperty? {
        guard value <= 1 else { return nil }
        switch identifier {
        case 0x01: return .payloadFormatIndicator(value)
        case 0x17: return .requestProblemInformation(value)
        case 0x19: return .requestResponseInformation(value)
        case 0x24: return .maximumQoS(value)
        case 0x25: return .retainAvailable(value)
        case 0x28: return .wildcardSubscriptionAvailable(value)
        case 0x29: return .subscriptionIdentifiersAvailable(value)
        case 0x2A: return .sharedSubscriptionAvailable(value)
        default: preconditionFailure("0x\(String(identifier, radix: 16)) is not a byte property")
        }
    }

    private static func twoByteProperty(_ identifier: UInt8, _ value: UInt16) -> MQTTProperty? {
        switch identifier {
        case 0x13: return .serverKeepAlive(value)
        // 5.0 §3.1.2.11.3 / §3.2.2.3.3: a Receive Maximum of 0 is a Protocol Error.
        case 0x21: return value == 0 ? nil : .receiveMaximum(value)
        case 0x22: return .topicAliasMaximum(value)
        // [MQTT-3.3.2-8] a Topic Alias of 0 is not permitted.
        case 0x23: return value == 0 ? nil : .topicAlias(value)
        default: preconditionFailure("0x\(String(identifier, radix: 16)) is not a two byte property")
        }
    }

    private static func fourByteProperty(_ identifier: UInt8, _ value: UInt32) -> MQTTProperty? {
        switch identifier {
        case 0x02: return .messageExpiryInterval(value)
        case 0x11: return .sessionExpiryInterval(value)
        case 0x18: return .willDelayInterval(value)
        // 5.0 §3.1.2.11.4 / §3.2.2.3.6: a Maximum Packet Size of 0 is a Protocol Error.
        case 0x27: return value == 0 ? nil : .maximumPacketSize(value)
        default: preconditionFailure("0x\(String(identifier, radix: 16)) is not a four byte property")
        }
    }

    private static func stringProperty(_ identifier: UInt8, _ value: String) -> MQTTProperty {
        switch identifier {
        case 0x03: .contentType(value)
        case 0x08: .responseTopic(value)
        case 0x12: .assignedClientIdentifier(value)
        case 0x15: .authenticationMethod(value)
        case 0x1A: .responseInformation(value)
        case 0x1C: .serverReference(value)
        case 0x1F: .reasonString(value)
        default: preconditionFailure("0x\(String(identifier, radix: 16)) is not a string property")
        }
    }

    // MARK: Encoding

    /// Bytes on the wire: the identifier byte plus the value.
    var encodedLength: Int {
        switch self {
        case .payloadFormatIndicator, .requestProblemInformation, .requestResponseInformation, .maximumQoS,
            .retainAvailable, .wildcardSubscriptionAvailable, .subscriptionIdentifiersAvailable,
            .sharedSubscriptionAvailable:
            2
        case .serverKeepAlive, .receiveMaximum, .topicAliasMaximum, .topicAlias:
            3
        case .messageExpiryInterval, .sessionExpiryInterval, .willDelayInterval, .maximumPacketSize:
            5
        case .subscriptionIdentifier(let value):
            1 + VariableByteInteger.encodedLength(of: Int(value))
        case .contentType(let value), .responseTopic(let value), .assignedClientIdentifier(let value),
            .authenticationMethod(let value), .responseInformation(let value), .serverReference(let value),
            .reasonString(let value):
            1 + value.mqttEncodedLength
        case .correlationData(let value), .authenticationData(let value):
            1 + value.mqttEncodedLength
        case .userProperty(let name, let value):
            1 + name.mqttEncodedLength + value.mqttEncodedLength
        }
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(identifier)
        switch self {
        case .payloadFormatIndicator(let value), .requestProblemInformation(let value),
            .requestResponseInformation(let value), .maximumQoS(let value), .retainAvailable(let value),
            .wildcardSubscriptionAvailable(let value), .subscriptionIdentifiersAvailable(let value),
            .sharedSubscriptionAvailable(let value):
            buffer.writeInteger(value)
        case .serverKeepAlive(let value), .receiveMaximum(let value), .topicAliasMaximum(let value),
            .topicAlias(let value):
            buffer.writeInteger(value, endianness: .big)
        case .messageExpiryInterval(let value), .sessionExpiryInterval(let value), .willDelayInterval(let value),
            .maximumPacketSize(let value):
            buffer.writeInteger(value, endianness: .big)
        case .subscriptionIdentifier(let value):
            buffer.writeMQTTVariableByteInteger(Int(value))
        case .contentType(let value), .responseTopic(let value), .assignedClientIdentifier(let value),
            .authenticationMethod(let value), .responseInformation(let value), .serverReference(let value),
            .reasonString(let value):
            buffer.writeMQTTString(value)
        case .correlationData(let value), .authenticationData(let value):
            buffer.writeMQTTBinaryData(value)
        case .userProperty(let name, let value):
            buffer.writeMQTTString(name)
            buffer.writeMQTTString(value)
        }
    }
}
