import NIOCore

// CONNECT (5.0 §3.1, 3.1.1 §3.1, 3.1 §3.1). Variable header: protocol name, protocol level,
// connect flags, keep alive, properties (5.0). Payload: client identifier, then as the flags
// say the Will (5.0: Will properties first), user name and password.
//
// The decoder reads the protocol name and level first (`readProtocolLevel`), learns the
// version from the level, then validates the name and reads the rest in that version.

extension MQTTPacket.Connect {
    private enum Flag {
        static let reserved: UInt8 = 0b0000_0001
        static let cleanStart: UInt8 = 0b0000_0010
        static let will: UInt8 = 0b0000_0100
        static let willQoSShift: UInt8 = 3
        static let willRetain: UInt8 = 0b0010_0000
        static let password: UInt8 = 0b0100_0000
        static let userName: UInt8 = 0b1000_0000
    }

    /// Reads the protocol name and the protocol level byte.
    static func readProtocolLevel(from body: inout ByteBuffer) throws -> (name: String, level: UInt8) {
        let name = try body.readMQTTString()
        let level = try body.readMQTTByte()
        return (name, level)
    }

    /// Checks that the name belongs to the level: "MQIsdp" with 3, "MQTT" with 4 and 5
    /// ([MQTT-3.1.2-1], 3.1 §3.1).
    static func validateProtocolName(_ name: String, for version: ProtocolVersion) throws {
        guard name == canonicalName(for: version) else { throw MQTTCodecError.invalidProtocolName }
    }

    static func canonicalName(for version: ProtocolVersion) -> String {
        version == .v3_1 ? "MQIsdp" : "MQTT"
    }

    /// Reads what follows the protocol level.
    static func decode(
        afterProtocolName name: String,
        version: ProtocolVersion,
        from body: inout ByteBuffer
    ) throws -> Self {
        let flags = try body.readMQTTByte()
        // [MQTT-3.1.2-3] the reserved flag must be 0.
        guard flags & Flag.reserved == 0 else { throw MQTTCodecError.invalidConnectFlags }
        let hasWill = flags & Flag.will != 0
        let willQoSBits = (flags >> Flag.willQoSShift) & 0b11
        let willRetain = flags & Flag.willRetain != 0
        // [MQTT-3.1.2-11] [MQTT-3.1.2-13] without a Will, Will QoS and Will Retain are 0.
        guard hasWill || (willQoSBits == 0 && !willRetain) else { throw MQTTCodecError.invalidConnectFlags }
        // [MQTT-3.1.2-12] Will QoS 3 is a Malformed Packet.
        guard let willQoS = QoS(rawValue: willQoSBits) else { throw MQTTCodecError.invalidQoS }
        let hasUserName = flags & Flag.userName != 0
        let hasPassword = flags & Flag.password != 0
        // [MQTT-3.1.2-22] 3.1.1 (and 3.1) allow a password only with a user name; 5.0 allows it alone.
        guard version.hasProperties || hasUserName || !hasPassword else {
            throw MQTTCodecError.invalidConnectFlags
        }
        let keepAlive = try body.readMQTTTwoByteInteger()
        var properties = MQTTProperties()
        if version.hasProperties {
            properties = try MQTTProperties.read(from: &body, in: .packet(.connect))
        }
        // [MQTT-3.1.3-3] the client identifier comes first in the payload.
        let clientID = try body.readMQTTString()
        var will: MQTTPacket.Will?
        if hasWill {
            var willProperties = MQTTProperties()
            if version.hasProperties {
                willProperties = try MQTTProperties.read(from: &body, in: .will)
            }
            let topic = try body.readMQTTString()
            let payload = try body.readMQTTBinaryData()
            will = MQTTPacket.Will(
                topic: topic,
                payload: payload,
                qos: willQoS,
                retain: willRetain,
                properties: willProperties
            )
        }
        // 3.1 §3.1: the remaining length takes precedence over the user name and password
        // flags, so a 3.1 client may set them and send neither field.
        let mayOmitCredentials = version == .v3_1
        var userName: String?
        if hasUserName && !(mayOmitCredentials && body.readableBytes == 0) {
            userName = try body.readMQTTString()
        }
        var password: ByteBuffer?
        if hasPassword && !(mayOmitCredentials && body.readableBytes == 0) {
            password = try body.readMQTTBinaryData()
        }
        return MQTTPacket.Connect(
            protocolName: name,
            protocolVersion: version,
            cleanStart: flags & Flag.cleanStart != 0,
            keepAlive: keepAlive,
            clientID: clientID,
            will: will,
            username: userName,
            password: password,
            properties: properties
        )
    }

    // MARK: Encoding

    /// Sizes of the parts that are written with a length in front.
    private struct Lengths {
        var properties = 0
        var willProperties = 0
        var remaining = 0
    }

    private func lengths(version: ProtocolVersion) -> Lengths {
        var lengths = Lengths()
        // Protocol name, level, flags, keep alive.
        lengths.remaining = protocolName.mqttEncodedLength + 1 + 1 + 2 + clientID.mqttEncodedLength
        if version.hasProperties {
            lengths.properties = properties.encodedLength
            lengths.remaining += mqttPropertiesSectionLength(lengths.properties)
        }
        if let will {
            lengths.remaining += will.topic.mqttEncodedLength + will.payload.mqttEncodedLength
            if version.hasProperties {
                lengths.willProperties = will.properties.encodedLength
                lengths.remaining += mqttPropertiesSectionLength(lengths.willProperties)
            }
        }
        if let username { lengths.remaining += username.mqttEncodedLength }
        if let password { lengths.remaining += password.mqttEncodedLength }
        return lengths
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        mqttPacketSize(remainingLength: lengths(version: version).remaining)
    }

    /// Writes the CONNECT in `version`'s format and with `version`'s protocol level; the
    /// protocol name is `protocolName` as given.
    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let lengths = lengths(version: version)
        buffer.writeMQTTFixedHeader(type: .connect, remainingLength: lengths.remaining)
        buffer.writeMQTTString(protocolName)
        buffer.writeInteger(version.rawValue)
        var flags: UInt8 = cleanStart ? Flag.cleanStart : 0
        if let will {
            flags |= Flag.will | will.qos.rawValue << Flag.willQoSShift | (will.retain ? Flag.willRetain : 0)
        }
        if username != nil { flags |= Flag.userName }
        if password != nil { flags |= Flag.password }
        buffer.writeInteger(flags)
        buffer.writeInteger(keepAlive, endianness: .big)
        if version.hasProperties { properties.write(length: lengths.properties, into: &buffer) }
        buffer.writeMQTTString(clientID)
        if let will {
            if version.hasProperties { will.properties.write(length: lengths.willProperties, into: &buffer) }
            buffer.writeMQTTString(will.topic)
            buffer.writeMQTTBinaryData(will.payload)
        }
        if let username { buffer.writeMQTTString(username) }
        if let password { buffer.writeMQTTBinaryData(password) }
    }
}
