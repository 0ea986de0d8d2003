import NIOCore

/// Decodes MQTT 3.1, 3.1.1 and 5.0 packets from a byte stream.
///
/// Use it in a pipeline as a `ByteToMessageHandler`, or call `decode(buffer:)` directly (the
/// fuzz tests do). One step is: peek the fixed header; reject a packet larger than
/// `maximumPacketSize` as soon as its remaining length is known, before waiting for the body;
/// wait (return `nil`) until the whole packet is there; decode the body from a slice of exactly
/// the remaining length, which must be used up. The reader index moves only past a packet
/// that decoded; a malformed packet throws and leaves it where it was.
///
/// The protocol version decides the format of every packet but CONNECT, which declares its
/// own. When none is given the decoder learns it from the first CONNECT, as soon as the
/// protocol level byte is read, so the error of a CONNECT that fails later still carries it;
/// until then other packets are decoded as 3.1.1.
public struct MQTTPacketDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = MQTTPacket

    /// The largest packet accepted, in bytes on the wire (fixed header included), as the
    /// 5.0 Maximum Packet Size counts them.
    public let maximumPacketSize: Int

    /// The version in force: given, or learned from the first CONNECT.
    public var protocolVersion: ProtocolVersion?

    public init(maximumPacketSize: Int, protocolVersion: ProtocolVersion? = nil) {
        precondition(maximumPacketSize >= 2, "no MQTT packet is shorter than 2 bytes")
        self.maximumPacketSize = maximumPacketSize
        self.protocolVersion = protocolVersion
    }

    /// Decodes the next packet: `nil` when more bytes are needed, throws `MQTTCodecError` when
    /// the input is malformed or too large.
    public mutating func decode(buffer: inout ByteBuffer) throws -> MQTTPacket? {
        let version = protocolVersion ?? .v3_1_1
        let header: FixedHeader
        do {
            guard let peeked = try FixedHeader.peek(in: buffer, version: version) else { return nil }
            header = peeked
        } catch var error as MQTTCodecError {
            error.protocolVersion = protocolVersion
            throw error
        }
        // Reject an oversize packet before waiting for, or allocating, its body.
        guard header.packetLength <= maximumPacketSize else {
            throw MQTTCodecError.packetTooLarge(size: header.packetLength, maximum: maximumPacketSize)
                .stamped(packetType: header.type, protocolVersion: protocolVersion)
        }
        guard buffer.readableBytes >= header.packetLength else { return nil }
        var body = buffer.getSlice(at: buffer.readerIndex + header.length, length: header.remainingLength)!
        let packet = try decodeBody(of: header, from: &body, version: version)
        buffer.moveReaderIndex(forwardBy: header.packetLength)
        return packet
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MQTTPacket? {
        try decode(buffer: &buffer)
    }

    private mutating func decodeBody(
        of header: FixedHeader,
        from body: inout ByteBuffer,
        version: ProtocolVersion
    ) throws -> MQTTPacket {
        var errorVersion = protocolVersion
        do {
            let packet: MQTTPacket
            if header.type == .connect {
                let (name, level) = try MQTTPacket.Connect.readProtocolLevel(from: &body)
                // [MQTT-3.1.2-2] a level we do not speak is an unsupported protocol version.
                guard let declared = ProtocolVersion(rawValue: level) else {
                    errorVersion = nil
                    throw MQTTCodecError.unsupportedProtocolVersion(level)
                }
                errorVersion = declared
                if protocolVersion == nil { protocolVersion = declared }
                try MQTTPacket.Connect.validateProtocolName(name, for: declared)
                packet = .connect(
                    try MQTTPacket.Connect.decode(afterProtocolName: name, version: declared, from: &body)
                )
            } else {
                packet = try MQTTPacket.decodeBody(of: header, from: &body, version: version)
            }
            // The fields must use up the remaining length exactly.
            guard body.readableBytes == 0 else { throw MQTTCodecError.invalidPacketLength }
            return packet
        } catch let error as MQTTCodecError {
            throw error.stamped(packetType: header.type, protocolVersion: errorVersion)
        }
    }
}

extension MQTTPacket {
    /// Decodes the body of any packet but CONNECT.
    static func decodeBody(of header: FixedHeader, from body: inout ByteBuffer, version: ProtocolVersion) throws -> Self
    {
        switch header.type {
        case .publish: .publish(try Publish.decode(flags: header.flags, from: &body, version: version))
        case .connAck: .connAck(try ConnAck.decode(from: &body, version: version))
        case .pubAck: .pubAck(PubAck(try PublishAcknowledgementFields.decode(.pubAck, from: &body, version: version)))
        case .pubRec: .pubRec(PubRec(try PublishAcknowledgementFields.decode(.pubRec, from: &body, version: version)))
        case .pubRel: .pubRel(PubRel(try PublishAcknowledgementFields.decode(.pubRel, from: &body, version: version)))
        case .pubComp:
            .pubComp(PubComp(try PublishAcknowledgementFields.decode(.pubComp, from: &body, version: version)))
        case .subscribe: .subscribe(try Subscribe.decode(from: &body, version: version))
        case .subAck: .subAck(try SubAck.decode(from: &body, version: version))
        case .unsubscribe: .unsubscribe(try Unsubscribe.decode(from: &body, version: version))
        case .unsubAck: .unsubAck(try UnsubAck.decode(from: &body, version: version))
        // The caller rejects any byte left in the body.
        case .pingReq: .pingReq
        case .pingResp: .pingResp
        case .disconnect: .disconnect(try Disconnect.decode(from: &body, version: version))
        case .auth: .auth(try Auth.decode(from: &body))
        case .connect: preconditionFailure("CONNECT is decoded by MQTTPacketDecoder, which learns its version")
        }
    }
}
