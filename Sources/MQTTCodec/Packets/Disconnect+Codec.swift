import NIOCore

// DISCONNECT (5.0 §3.14, 3.1.1 §3.14). 3.x: no variable header. 5.0: reason code and
// properties, both optional — a remaining length of 0 means 0x00 (Normal disconnection),
// below 2 there is no Property Length (§3.14.2.2.1).

extension MQTTPacket.Disconnect {
    static func decode(from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        // 3.x: any byte is left over and rejected by the caller.
        guard version.hasProperties, body.readableBytes > 0 else { return MQTTPacket.Disconnect() }
        let reasonCode = try ReasonCode.decode(try body.readMQTTByte(), in: .disconnect)
        guard body.readableBytes > 0 else { return MQTTPacket.Disconnect(reasonCode: reasonCode) }
        let properties = try MQTTProperties.read(from: &body, in: .packet(.disconnect))
        return MQTTPacket.Disconnect(reasonCode: reasonCode, properties: properties)
    }

    /// 0 for the short form, 1 for a reason code alone, more with properties.
    private func remainingLength(version: ProtocolVersion, propertiesLength: Int) -> Int {
        guard version.hasProperties else { return 0 }
        guard !properties.isEmpty else { return reasonCode == .normalDisconnection ? 0 : 1 }
        return 1 + mqttPropertiesSectionLength(propertiesLength)
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        return mqttPacketSize(remainingLength: remainingLength(version: version, propertiesLength: propertiesLength))
    }

    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        buffer.writeMQTTFixedHeader(type: .disconnect, remainingLength: remainingLength)
        guard remainingLength > 0 else { return }
        buffer.writeInteger(reasonCode.rawValue)
        guard remainingLength > 1 else { return }
        properties.write(length: propertiesLength, into: &buffer)
    }
}
