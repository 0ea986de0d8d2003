import NIOCore

// UNSUBACK (5.0 §3.11, 3.1.1 §3.11): packet identifier; 5.0 adds properties and one reason
// code per topic filter. 3.x UNSUBACK has no payload.

extension MQTTPacket.UnsubAck {
    static func decode(from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        let packetID = try body.readMQTTPacketIdentifier()
        // 3.x: anything after the identifier is left over and rejected by the caller.
        guard version.hasProperties else { return MQTTPacket.UnsubAck(packetID: packetID) }
        let properties = try MQTTProperties.read(from: &body, in: .packet(.unsubAck))
        var reasonCodes: [ReasonCode] = []
        while body.readableBytes > 0 {
            reasonCodes.append(try ReasonCode.decode(try body.readMQTTByte(), in: .unsubAck))
        }
        return MQTTPacket.UnsubAck(packetID: packetID, reasonCodes: reasonCodes, properties: properties)
    }

    private func remainingLength(version: ProtocolVersion, propertiesLength: Int) -> Int {
        guard version.hasProperties else { return 2 }
        return 2 + mqttPropertiesSectionLength(propertiesLength) + reasonCodes.count
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        return mqttPacketSize(remainingLength: remainingLength(version: version, propertiesLength: propertiesLength))
    }

    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        buffer.writeMQTTFixedHeader(type: .unsubAck, remainingLength: remainingLength)
        buffer.writeInteger(packetID, endianness: .big)
        guard version.hasProperties else { return }
        properties.write(length: propertiesLength, into: &buffer)
        for code in reasonCodes { buffer.writeInteger(code.rawValue) }
    }
}
