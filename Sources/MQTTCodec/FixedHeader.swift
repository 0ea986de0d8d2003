import NIOCore

/// The fixed header of every MQTT control packet (5.0 §2.1.1): the packet type in the high
/// nibble of the first byte, its flags in the low nibble, then the remaining length as a
/// variable byte integer.
struct FixedHeader: Sendable, Equatable {
    var type: PacketType
    var flags: UInt8
    /// Bytes after the fixed header: variable header plus payload.
    var remainingLength: Int
    /// Bytes taken by the fixed header itself (2…5).
    var length: Int

    /// The whole packet on the wire.
    var packetLength: Int { length + remainingLength }

    /// Peeks the fixed header at the reader index without consuming it.
    ///
    /// Returns `nil` while the header is incomplete. The type and flags are checked as soon
    /// as the first byte is there, so a stream that starts wrong is rejected at once.
    static func peek(in buffer: ByteBuffer, version: ProtocolVersion) throws -> FixedHeader? {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        let type = try packetType(of: first, version: version)
        let flags = first & 0x0F
        try validateFlags(flags, of: type, version: version)
        guard let (remainingLength, lengthBytes) = try buffer.getMQTTVariableByteInteger(at: buffer.readerIndex + 1)
        else { return nil }
        return FixedHeader(type: type, flags: flags, remainingLength: remainingLength, length: 1 + lengthBytes)
    }

    private static func packetType(of first: UInt8, version: ProtocolVersion) throws -> PacketType {
        let raw = first >> 4
        // Type 0 is reserved in every version; 15 is reserved before 5.0, where it became AUTH.
        guard let type = PacketType(rawValue: raw), type != .auth || version == .v5 else {
            throw MQTTCodecError.invalidPacketType(raw)
        }
        return type
    }

    /// [MQTT-2.1.3-1] reserved flags must hold the values of 5.0 Table 2-2 / 3.1.1 Table 2.2.
    private static func validateFlags(_ flags: UInt8, of type: PacketType, version: ProtocolVersion) throws {
        switch type {
        case .publish:
            let qos = (flags >> 1) & 0b11
            // [MQTT-3.3.1-4] a PUBLISH must not have both QoS bits set.
            guard qos != 3 else { throw MQTTCodecError(.invalidQoS, packetType: .publish) }
            // [MQTT-3.3.1-2] the DUP flag must be 0 for QoS 0 messages.
            guard qos != 0 || flags & 0b1000 == 0 else { throw MQTTCodecError.dupFlagSetForQoS0 }
        case .pubRel, .subscribe, .unsubscribe:
            // 3.1 sets DUP on a re-sent PUBREL, SUBSCRIBE or UNSUBSCRIBE (3.1 §2.1); 3.1.1 and
            // 5.0 fixed these flags to 0b0010.
            let allowsDUP = version == .v3_1 && flags == 0b1010
            guard flags == 0b0010 || allowsDUP else { throw MQTTCodecError.reservedFlagsSet(type) }
        case .connect, .connAck, .pubAck, .pubRec, .pubComp, .subAck, .unsubAck, .pingReq, .pingResp, .disconnect,
            .auth:
            guard flags == 0 else { throw MQTTCodecError.reservedFlagsSet(type) }
        }
    }
}

extension ByteBuffer {
    /// Writes the first byte and the remaining length.
    @inlinable
    mutating func writeMQTTFixedHeader(type: PacketType, flags: UInt8 = 0, remainingLength: Int) {
        writeInteger(type.rawValue << 4 | flags)
        writeMQTTVariableByteInteger(remainingLength)
    }
}

/// The size on the wire of a packet whose remaining length is `remainingLength`.
@inlinable
func mqttPacketSize(remainingLength: Int) -> Int {
    1 + VariableByteInteger.encodedLength(of: remainingLength) + remainingLength
}
