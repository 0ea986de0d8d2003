import NIOCore

// AUTH (5.0 §3.15, 5.0 only): reason code and properties, both omitted together when the
// reason is 0x00 (Success) and there are no properties (remaining length 0). Unlike
// DISCONNECT, a reason code without a Property Length is not a form the specification gives.

extension MQTTPacket.Auth {
    static func decode(from body: inout ByteBuffer) throws -> Self {
        guard body.readableBytes > 0 else { return MQTTPacket.Auth() }
        let reasonCode = try ReasonCode.decode(try body.readMQTTByte(), in: .auth)
        let properties = try MQTTProperties.read(from: &body, in: .packet(.auth))
        return MQTTPacket.Auth(reasonCode: reasonCode, properties: properties)
    }

    private func remainingLength(propertiesLength: Int) -> Int {
        guard reasonCode != .success || !properties.isEmpty else { return 0 }
        return 1 + mqttPropertiesSectionLength(propertiesLength)
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        precondition(version.hasProperties, "AUTH exists only in MQTT 5.0")
        return mqttPacketSize(remainingLength: remainingLength(propertiesLength: properties.encodedLength))
    }

    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        precondition(version.hasProperties, "AUTH exists only in MQTT 5.0")
        let propertiesLength = properties.encodedLength
        let remainingLength = remainingLength(propertiesLength: propertiesLength)
        buffer.writeMQTTFixedHeader(type: .auth, remainingLength: remainingLength)
        guard remainingLength > 0 else { return }
        buffer.writeInteger(reasonCode.rawValue)
        properties.write(length: propertiesLength, into: &buffer)
    }
}
