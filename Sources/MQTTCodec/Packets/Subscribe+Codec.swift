import NIOCore

// SUBSCRIBE (5.0 §3.8, 3.1.1 §3.8): packet identifier, properties (5.0), then one or more
// topic filter + options byte pairs. Topic filters are only checked to be UTF-8 here; the
// broker validates their syntax and answers 0x8F per filter.

extension MQTTPacket.Subscribe {
    static func decode(from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        let packetID = try body.readMQTTPacketIdentifier()
        var properties = MQTTProperties()
        if version.hasProperties {
            properties = try MQTTProperties.read(from: &body, in: .packet(.subscribe))
        }
        var subscriptions: [MQTTPacket.Subscription] = []
        while body.readableBytes > 0 {
            let topicFilter = try body.readMQTTString()
            let options = try MQTTPacket.SubscriptionOptions.decode(try body.readMQTTByte(), version: version)
            subscriptions.append(MQTTPacket.Subscription(topicFilter: topicFilter, options: options))
        }
        // [MQTT-3.8.3-3] (5.0: [MQTT-3.8.3-2]) at least one topic filter.
        guard !subscriptions.isEmpty else { throw MQTTCodecError.emptySubscriptionList }
        return MQTTPacket.Subscribe(packetID: packetID, subscriptions: subscriptions, properties: properties)
    }

    private func remainingLength(version: ProtocolVersion, propertiesLength: Int) -> Int {
        var length = 2
        if version.hasProperties { length += mqttPropertiesSectionLength(propertiesLength) }
        for subscription in subscriptions { length += subscription.topicFilter.mqttEncodedLength + 1 }
        return length
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        return mqttPacketSize(remainingLength: remainingLength(version: version, propertiesLength: propertiesLength))
    }

    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        // [MQTT-3.8.1-1] fixed header flags 0b0010.
        buffer.writeMQTTFixedHeader(type: .subscribe, flags: 0b0010, remainingLength: remainingLength)
        buffer.writeInteger(packetID, endianness: .big)
        if version.hasProperties { properties.write(length: propertiesLength, into: &buffer) }
        for subscription in subscriptions {
            buffer.writeMQTTString(subscription.topicFilter)
            buffer.writeInteger(subscription.options.encoded(version: version))
        }
    }
}

extension MQTTPacket.SubscriptionOptions {
    private enum Bit {
        static let noLocal: UInt8 = 0b0000_0100
        static let retainAsPublished: UInt8 = 0b0000_1000
        static let retainHandlingShift: UInt8 = 4
    }

    static func decode(_ byte: UInt8, version: ProtocolVersion) throws -> Self {
        guard version.hasProperties else {
            // [MQTT-3-8.3-4] 3.x: the upper six bits are reserved and QoS 3 is malformed.
            guard byte & 0b1111_1100 == 0, let qos = QoS(rawValue: byte) else {
                throw MQTTCodecError.invalidSubscriptionOptions
            }
            return Self(qos: qos)
        }
        // [MQTT-3.8.3-5] bits 6 and 7 are reserved: a Malformed Packet if set.
        guard byte & 0b1100_0000 == 0 else { throw MQTTCodecError.invalidSubscriptionOptions }
        // 5.0 §3.8.3.1: Maximum QoS 3 and Retain Handling 3 are Protocol Errors.
        guard let qos = QoS(rawValue: byte & 0b11) else { throw MQTTCodecError.invalidSubscriptionQoS }
        guard let retainHandling = MQTTPacket.RetainHandling(rawValue: (byte >> Bit.retainHandlingShift) & 0b11) else {
            throw MQTTCodecError.invalidRetainHandling
        }
        return Self(
            qos: qos,
            noLocal: byte & Bit.noLocal != 0,
            retainAsPublished: byte & Bit.retainAsPublished != 0,
            retainHandling: retainHandling
        )
    }

    /// The options byte; 3.x carries only the QoS.
    func encoded(version: ProtocolVersion) -> UInt8 {
        guard version.hasProperties else { return qos.rawValue }
        return qos.rawValue | (noLocal ? Bit.noLocal : 0) | (retainAsPublished ? Bit.retainAsPublished : 0)
            | retainHandling.rawValue << Bit.retainHandlingShift
    }
}
