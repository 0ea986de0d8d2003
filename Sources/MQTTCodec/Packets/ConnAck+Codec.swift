import NIOCore

// CONNACK (5.0 §3.2, 3.1.1 §3.2, 3.1 §3.2): acknowledge flags, reason code (3.x: return code
// 0…5), properties (5.0). 3.1 has no flags: its first byte is reserved and ignored.

extension MQTTPacket.ConnAck {
    static func decode(from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        let flags = try body.readMQTTByte()
        var sessionPresent = false
        if version != .v3_1 {
            // [MQTT-3.2.2-1] bits 7–1 of the acknowledge flags are reserved and 0.
            guard flags & 0b1111_1110 == 0 else { throw MQTTCodecError.invalidConnAckFlags }
            sessionPresent = flags & 1 != 0
        }
        let code = try body.readMQTTByte()
        guard version.hasProperties else {
            guard let reasonCode = ReasonCode(connectReturnCode: code) else {
                throw MQTTCodecError.invalidReasonCode(code)
            }
            return MQTTPacket.ConnAck(sessionPresent: sessionPresent, reasonCode: reasonCode)
        }
        let reasonCode = try ReasonCode.decode(code, in: .connAck)
        let properties = try MQTTProperties.read(from: &body, in: .packet(.connAck))
        return MQTTPacket.ConnAck(sessionPresent: sessionPresent, reasonCode: reasonCode, properties: properties)
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        guard version.hasProperties else { return mqttPacketSize(remainingLength: 2) }
        return mqttPacketSize(remainingLength: 2 + mqttPropertiesSectionLength(properties.encodedLength))
    }

    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        // 3.1 has no session present flag. A refusal must not report a session [MQTT-3.2.2-6]:
        // that is the sender's duty, and the encoder writes the value it is given.
        let flags: UInt8 = sessionPresent && version != .v3_1 ? 1 : 0
        guard version.hasProperties else {
            buffer.writeMQTTFixedHeader(type: .connAck, remainingLength: 2)
            buffer.writeInteger(flags)
            buffer.writeInteger(reasonCode.connectReturnCode)
            return
        }
        let propertiesLength = properties.encodedLength
        buffer.writeMQTTFixedHeader(type: .connAck, remainingLength: 2 + mqttPropertiesSectionLength(propertiesLength))
        buffer.writeInteger(flags)
        buffer.writeInteger(reasonCode.rawValue)
        properties.write(length: propertiesLength, into: &buffer)
    }
}
