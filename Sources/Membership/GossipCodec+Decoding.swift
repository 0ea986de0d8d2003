extension GossipCodec {
    public static func decodeMessage(_ bytes: [UInt8]) throws(GossipCodecError) -> GossipMessage {
        var reader = ByteReader(bytes)
        let (kind, clusterName, senderName) = try reader.readHeader()
        let messageKind: GossipMessage.Kind
        switch kind {
        case .ping:
            let sequence = try reader.readUInt32()
            let targetName = try reader.readString()
            let targetBootID = try reader.readUInt64()
            messageKind = .ping(.init(sequence: sequence, targetName: targetName, targetBootID: targetBootID))
        case .pingRequest:
            let sequence = try reader.readUInt32()
            let flags = try reader.readUInt8()
            guard flags & ~flagWantsNack == 0 else { throw .unknownFlags(flags) }
            let target = try reader.readIdentity()
            messageKind = .pingRequest(.init(sequence: sequence, target: target, wantsNack: flags & flagWantsNack != 0))
        case .ack:
            messageKind = .ack(.init(sequence: try reader.readUInt32()))
        case .nack:
            messageKind = .nack(.init(sequence: try reader.readUInt32()))
        case .gossip:
            messageKind = .gossip
        case .pushPull:
            // A push-pull payload travels over TCP and is decoded with `decodePushPull`.
            throw .unknownMessageKind(kind.rawValue)
        }
        let count = Int(try reader.readUInt8())
        let updates = try reader.readUpdates(count: count, cap: maxUpdatesPerMessage)
        try reader.expectEnd()
        return GossipMessage(clusterName: clusterName, senderName: senderName, kind: messageKind, updates: updates)
    }

    public static func decodePushPull(_ bytes: [UInt8]) throws(GossipCodecError) -> PushPullPayload {
        var reader = ByteReader(bytes)
        let (kind, clusterName, senderName) = try reader.readHeader()
        guard kind == .pushPull else { throw .unknownMessageKind(kind.rawValue) }
        let flags = try reader.readUInt8()
        guard flags & ~flagIsJoin == 0 else { throw .unknownFlags(flags) }
        let count = Int(try reader.readUInt32())
        let members = try reader.readUpdates(count: count, cap: maxPushPullMembers)
        try reader.expectEnd()
        return PushPullPayload(
            clusterName: clusterName,
            senderName: senderName,
            isJoin: flags & flagIsJoin != 0,
            members: members
        )
    }
}

/// Reads big-endian fields from a byte array, checking every length against what remains.
struct ByteReader {
    private let bytes: [UInt8]
    private var index: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.index = 0
    }

    var remaining: Int { bytes.count - index }

    mutating func readUInt8() throws(GossipCodecError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func readUInt32() throws(GossipCodecError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var value: UInt32 = 0
        for offset in 0..<4 {
            value = value << 8 | UInt32(bytes[index + offset])
        }
        index += 4
        return value
    }

    mutating func readUInt64() throws(GossipCodecError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for offset in 0..<8 {
            value = value << 8 | UInt64(bytes[index + offset])
        }
        index += 8
        return value
    }

    /// A string of 1…255 bytes.
    mutating func readString() throws(GossipCodecError) -> String {
        guard let string = try readOptionalString() else { throw .emptyString }
        return string
    }

    /// A string of 0…255 bytes; zero length reads as `nil`.
    mutating func readOptionalString() throws(GossipCodecError) -> String? {
        let length = Int(try readUInt8())
        guard length > 0 else { return nil }
        guard remaining >= length else { throw .truncated }
        let slice = bytes[index..<(index + length)]
        // Decoding replaces invalid sequences with U+FFFD, so a string that does not re-encode to the same bytes
        // was not valid UTF-8.
        let string = String(decoding: slice, as: UTF8.self)
        guard string.utf8.elementsEqual(slice) else { throw .invalidUTF8 }
        index += length
        return string
    }

    mutating func readHeader() throws(GossipCodecError) -> (GossipCodec.KindByte, String, String) {
        guard remaining >= 4 else { throw .truncated }
        guard bytes[index] == GossipCodec.magic.0, bytes[index + 1] == GossipCodec.magic.1 else { throw .badMagic }
        guard bytes[index + 2] == GossipCodec.version else { throw .unsupportedVersion(bytes[index + 2]) }
        guard let kind = GossipCodec.KindByte(rawValue: bytes[index + 3]) else {
            throw .unknownMessageKind(bytes[index + 3])
        }
        index += 4
        let clusterName = try readString()
        let senderName = try readString()
        return (kind, clusterName, senderName)
    }

    mutating func readIdentity() throws(GossipCodecError) -> NodeIdentity {
        let name = try readString()
        let bootID = try readUInt64()
        let address = try readString()
        return NodeIdentity(name: name, bootID: bootID, address: address)
    }

    mutating func readUpdate() throws(GossipCodecError) -> MemberUpdate {
        let identity = try readIdentity()
        let stateByte = try readUInt8()
        guard let state = MemberState(rawValue: stateByte) else { throw .invalidMemberState(stateByte) }
        let incarnation = try readUInt64()
        let reporter = try readOptionalString()
        return MemberUpdate(identity: identity, state: state, incarnation: incarnation, reporter: reporter)
    }

    /// `count` updates, rejected before allocating when above `cap` or above what the remaining bytes could hold.
    mutating func readUpdates(count: Int, cap: Int) throws(GossipCodecError) -> [MemberUpdate] {
        guard count <= cap, count <= remaining / GossipCodec.minimumUpdateSize else { throw .tooManyMembers(count) }
        var updates: [MemberUpdate] = []
        updates.reserveCapacity(count)
        for _ in 0..<count {
            updates.append(try readUpdate())
        }
        return updates
    }

    func expectEnd() throws(GossipCodecError) {
        guard remaining == 0 else { throw .trailingBytes(remaining) }
    }
}
