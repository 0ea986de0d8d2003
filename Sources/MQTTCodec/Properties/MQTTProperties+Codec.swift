import NIOCore

extension MQTTProperties {
    /// Reads a properties section (5.0 §2.2.2): the Property Length, then the properties it covers.
    ///
    /// - A Property Length running past the packet is a Malformed Packet.
    /// - An unknown identifier, or one not valid in `context`, is a Malformed Packet (§2.2.2.2).
    /// - A repeated property is a Protocol Error, except the User Property and, in PUBLISH,
    ///   the Subscription Identifier.
    static func read(from buffer: inout ByteBuffer, in context: PropertyContext) throws -> MQTTProperties {
        let length = try buffer.readMQTTVariableByteInteger()
        guard length > 0 else { return MQTTProperties() }
        guard var section = buffer.readSlice(length: length) else { throw MQTTCodecError.invalidPacketLength }
        var properties: [MQTTProperty] = []
        // Identifiers are below 64, so one bit each records what was seen.
        var seen: UInt64 = 0
        while section.readableBytes > 0 {
            // The identifier is a variable byte integer, but every defined one fits in one
            // byte (§2.2.2.2): a byte with the continuation bit set is no known identifier.
            let identifier = try section.readMQTTByte()
            guard let rule = PropertyRule.rule(for: identifier) else {
                throw MQTTCodecError.unknownProperty(identifier)
            }
            guard rule.allowedIn & context.bit != 0 else {
                throw MQTTCodecError.propertyNotAllowed(identifier, in: context.packetType)
            }
            let bit: UInt64 = 1 << identifier
            guard seen & bit == 0 || PropertyRule.mayRepeat(identifier, in: context) else {
                throw MQTTCodecError.duplicateProperty(identifier)
            }
            seen |= bit
            properties.append(try MQTTProperty.read(identifier: identifier, valueType: rule.valueType, from: &section))
        }
        return MQTTProperties(properties)
    }

    /// Bytes of the properties themselves, without the Property Length in front.
    @usableFromInline
    var encodedLength: Int {
        var length = 0
        for property in all { length += property.encodedLength }
        return length
    }

    /// Writes the Property Length `length` (which must be `encodedLength`) and the properties.
    @usableFromInline
    func write(length: Int, into buffer: inout ByteBuffer) {
        buffer.writeMQTTVariableByteInteger(length)
        for property in all { property.write(into: &buffer) }
    }
}

/// The bytes a properties section takes: its Property Length plus the properties.
@inlinable
func mqttPropertiesSectionLength(_ propertiesLength: Int) -> Int {
    VariableByteInteger.encodedLength(of: propertiesLength) + propertiesLength
}
