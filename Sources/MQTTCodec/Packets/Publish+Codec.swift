import NIOCore

// PUBLISH (5.0 §3.3, 3.1.1 §3.3): topic name, packet identifier when QoS > 0, properties
// (5.0), then the payload up to the end of the packet.

extension MQTTPacket.Publish {
    static func decode(flags: UInt8, from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self {
        // The fixed header already rejected QoS 3 [MQTT-3.3.1-4] and DUP on QoS 0 [MQTT-3.3.1-2].
        let qos = QoS(rawValue: (flags >> 1) & 0b11)!
        let topic = try body.readMQTTString()
        // [MQTT-3.3.2-2] the topic name must not contain wildcard characters.
        guard !topic.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) else {
            throw MQTTCodecError.invalidTopicName
        }
        // [MQTT-2.2.1-2] no packet identifier at QoS 0; [MQTT-2.2.1-3] a non-zero one otherwise.
        let packetID = qos == .atMostOnce ? nil : try body.readMQTTPacketIdentifier()
        var properties = MQTTProperties()
        if version.hasProperties {
            properties = try MQTTProperties.read(from: &body, in: .packet(.publish))
        }
        // 5.0 §3.3.2.1: an empty topic name stands for the one mapped to its Topic Alias; without
        // an alias it is a Protocol Error. 3.x topic names are at least one character [MQTT-4.7.3-1].
        if topic.isEmpty && properties.topicAlias == nil {
            throw MQTTCodecError.topicNameMissing
        }
        // The payload is the rest of the packet, as a slice of the read buffer (no copy).
        let payload = body.readSlice(length: body.readableBytes)!
        return MQTTPacket.Publish(
            topic: topic,
            payload: payload,
            qos: qos,
            retain: flags & 0b0001 != 0,
            dup: flags & 0b1000 != 0,
            packetID: packetID,
            properties: properties
        )
    }

    /// Bytes on the wire, payload included.
    @inlinable
    func encodedSize(version: ProtocolVersion) -> Int {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        return mqttPacketSize(remainingLength: remainingLength(version: version, propertiesLength: propertiesLength))
    }

    /// Writes the whole packet. Sizes are computed once and the buffer grows at most once.
    @inlinable
    func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        buffer.reserveCapacity(minimumWritableBytes: mqttPacketSize(remainingLength: remainingLength))
        writeHeaders(
            version: version,
            remainingLength: remainingLength,
            propertiesLength: propertiesLength,
            into: &buffer
        )
        buffer.writeImmutableBuffer(payload)
    }

    /// Writes the fixed and variable headers but not the payload; the remaining length
    /// counts the payload. A server sending one message to many subscribers encodes the
    /// headers per subscriber and writes the shared payload buffer after them, uncopied.
    @inlinable
    public func encodeHeaders(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        let propertiesLength = version.hasProperties ? properties.encodedLength : 0
        let remainingLength = remainingLength(version: version, propertiesLength: propertiesLength)
        buffer.reserveCapacity(minimumWritableBytes: mqttPacketSize(remainingLength: remainingLength))
        writeHeaders(
            version: version,
            remainingLength: remainingLength,
            propertiesLength: propertiesLength,
            into: &buffer
        )
    }

    @inlinable
    func remainingLength(version: ProtocolVersion, propertiesLength: Int) -> Int {
        var length = topic.mqttEncodedLength + payload.readableBytes
        if qos != .atMostOnce { length += 2 }
        if version.hasProperties { length += mqttPropertiesSectionLength(propertiesLength) }
        return length
    }

    @inlinable
    func writeHeaders(
        version: ProtocolVersion,
        remainingLength: Int,
        propertiesLength: Int,
        into buffer: inout ByteBuffer
    ) {
        let flags = (dup ? 0b1000 : 0) | qos.rawValue << 1 | (retain ? 0b0001 : 0)
        buffer.writeMQTTFixedHeader(type: .publish, flags: flags, remainingLength: remainingLength)
        buffer.writeMQTTString(topic)
        if qos != .atMostOnce {
            // [MQTT-2.2.1-3] QoS 1 and 2 carry a packet identifier.
            guard let packetID else {
                preconditionFailure("PUBLISH at QoS \(qos.rawValue) without a packet identifier")
            }
            buffer.writeInteger(packetID, endianness: .big)
        }
        if version.hasProperties {
            properties.write(length: propertiesLength, into: &buffer)
        }
    }
}
