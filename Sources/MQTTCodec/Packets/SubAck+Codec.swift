import NIOCore

// SUBACK (5.0 §3.9, 3.1.1 §3.9): packet identifier, properties (5.0), one reason code per
// topic filter of the SUBSCRIBE. 3.x codes are a granted QoS 0…2 or 0x80 (failure).

extension MQTTPacket.SubAck {
    static func decode(from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        let packetID = try body.readMQTTPacketIdentifier()
        var properties = MQTTProperties()
        if version.hasProperties {
            properties = try MQTTProperties.read(from: &body, in: .packet(.subAck))
        }
        var reasonCodes: [ReasonCode] = []
        while body.readableBytes > 0 {
            let raw = try body.readMQTTByte()
            if version.hasProperties {
                reasonCodes.append(try ReasonCode.decode(raw, in: .subAck))
            } else {
                let code = ReasonCode(rawValue: raw)
                guard code.isValidV3SubAckCode else { throw MQTTCodecError.invalidReasonCode(raw) }
                reasonCodes.append(code)
            }
        }
        return MQTTPacket.SubAck(packetID: packetID, reasonCodes: reasonCodes, properties: properties)
    }

    private func remainingLength(version: ProtocolVersion, propertiesLength: Int) -> Int {
        var length = 2 + reasonCodes.count
        if version.hasProperties { length += mqttPropertiesSectionLength(propertiesLength) }
        return length
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        return mqttPacketSize(remainingLength: remainingLength(version: version, propertiesLength: propertiesLength))
    }

    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        buffer.writeMQTTFixedHeader(type: .subAck, remainingLength: remainingLength)
        buffer.writeInteger(packetID, endianness: .big)
        guard version.hasProperties else {
            for code in reasonCodes { buffer.writeInteger(code.v3SubAckCode) }
            return
        }
        properties.write(length: propertiesLength, into: &buffer)
        for code in reasonCodes { buffer.writeInteger(code.rawValue) }
    }
}
