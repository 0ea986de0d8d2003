import NIOCore

// PUBACK, PUBREC, PUBREL and PUBCOMP (5.0 §3.4–3.7) share one shape: packet identifier,
// then in 5.0 an optional reason code and optional properties.
//
// 5.0 short forms: a remaining length of 2 means reason 0x00 and no properties; below 4 there
// is no Property Length. 3.x carries only the packet identifier.

/// The fields shared by the four acknowledgements of PUBLISH and PUBREL.
struct PublishAcknowledgementFields {
    var packetID: UInt16
    var reasonCode: ReasonCode
    var properties: MQTTProperties

    static func decode(_ type: PacketType, from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        let packetID = try body.readMQTTPacketIdentifier()
        // 3.x: anything after the identifier is left over and rejected by the caller.
        guard version.hasProperties, body.readableBytes > 0 else {
            return Self(packetID: packetID, reasonCode: .success, properties: MQTTProperties())
        }
        let reasonCode = try ReasonCode.decode(try body.readMQTTByte(), in: type)
        guard body.readableBytes > 0 else {
            return Self(packetID: packetID, reasonCode: reasonCode, properties: MQTTProperties())
        }
        let properties = try MQTTProperties.read(from: &body, in: .packet(type))
        return Self(packetID: packetID, reasonCode: reasonCode, properties: properties)
    }

    func encodedSize(version: ProtocolVersion) -> Int {
        mqttPacketSize(remainingLength: remainingLength(version: version, propertiesLength: properties.encodedLength))
    }

    func encode(_ type: PacketType, flags: UInt8 = 0, version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        buffer.writeMQTTFixedHeader(type: type, flags: flags, remainingLength: remainingLength)
        buffer.writeInteger(packetID, endianness: .big)
        guard remainingLength > 2 else { return }
        buffer.writeInteger(reasonCode.rawValue)
        guard remainingLength > 3 else { return }
        properties.write(length: propertiesLength, into: &buffer)
    }

    /// 2 for the short form, 3 for a reason code alone, more with properties.
    private func remainingLength(version: ProtocolVersion, propertiesLength: Int) -> Int {
        guard version.hasProperties else { return 2 }
        guard !properties.isEmpty else { return reasonCode == .success ? 2 : 3 }
        return 3 + mqttPropertiesSectionLength(propertiesLength)
    }
}

extension MQTTPacket.PubAck {
    init(_ fields: PublishAcknowledgementFields) {
        self.init(packetID: fields.packetID, reasonCode: fields.reasonCode, properties: fields.properties)
    }
    var fields: PublishAcknowledgementFields {
        .init(packetID: packetID, reasonCode: reasonCode, properties: properties)
    }
}

extension MQTTPacket.PubRec {
    init(_ fields: PublishAcknowledgementFields) {
        self.init(packetID: fields.packetID, reasonCode: fields.reasonCode, properties: fields.properties)
    }
    var fields: PublishAcknowledgementFields {
        .init(packetID: packetID, reasonCode: reasonCode, properties: properties)
    }
}

extension MQTTPacket.PubRel {
    init(_ fields: PublishAcknowledgementFields) {
        self.init(packetID: fields.packetID, reasonCode: fields.reasonCode, properties: fields.properties)
    }
    var fields: PublishAcknowledgementFields {
        .init(packetID: packetID, reasonCode: reasonCode, properties: properties)
    }
}

extension MQTTPacket.PubComp {
    init(_ fields: PublishAcknowledgementFields) {
        self.init(packetID: fields.packetID, reasonCode: fields.reasonCode, properties: fields.properties)
    }
    var fields: PublishAcknowledgementFields {
        .init(packetID: packetID, reasonCode: reasonCode, properties: properties)
    }
}
