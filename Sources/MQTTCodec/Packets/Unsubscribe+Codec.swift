import NIOCore

// UNSUBSCRIBE (5.0 §3.10, 3.1.1 §3.10): packet identifier, properties (5.0), then one or
// more topic filters, only checked to be UTF-8.

extension MQTTPacket.Unsubscribe {
    static func decode(from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        let packetID = try body.readMQTTPacketIdentifier()
        var properties = MQTTProperties()
        if version.hasProperties {
            properties = try MQTTProperties.read(from: &body, in: .packet(.unsubscribe))
        }
        var topicFilters: [String] = []
        while body.readableBytes > 0 {
            topicFilters.append(try body.readMQTTString())
        }
        // [MQTT-3.10.3-2] at least one topic filter.
        guard !topicFilters.isEmpty else { throw MQTTCodecError.emptySubscriptionList }
        return MQTTPacket.Unsubscribe(packetID: packetID, topicFilters: topicFilters, properties: properties)
    }

    private func remainingLength(version: ProtocolVersion, propertiesLength: Int) -> Int {
        var length = 2
        if version.hasProperties { length += mqttPropertiesSectionLength(propertiesLength) }
        for filter in topicFilters { length += filter.mqttEncodedLength }
        return length
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        return mqttPacketSize(remainingLength: remainingLength(version: version, propertiesLength: propertiesLength))
    }

    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        // [MQTT-3.10.1-1] fixed header flags 0b0010.
        buffer.writeMQTTFixedHeader(type: .unsubscribe, flags: 0b0010, remainingLength: remainingLength)
        buffer.writeInteger(packetID, endianness: .big)
        if version.hasProperties { properties.write(length: propertiesLength, into: &buffer) }
        for filter in topicFilters { buffer.writeMQTTString(filter) }
    }
}
