/// Reads and writes gossip messages and push-pull payloads as bytes (layout in cluster/PROTOCOL.md).
///
/// Big-endian integers, strings as one length byte then UTF-8. Decoding is strict: every length is checked against
/// the bytes that remain before anything is allocated, counts are capped, unknown kinds, flags and states are
/// rejected, and trailing bytes are an error. Decoding errors are thrown as ``GossipCodecError``; nothing traps.
public enum GossipCodec {
    /// `S` `M`: Starling Membership.
    static let magic: (UInt8, UInt8) = (0x53, 0x4D)
    public static let version: UInt8 = 1
    /// The most updates one gossip message carries; a count byte above it is rejected.
    public static let maxUpdatesPerMessage = 64
    /// The most members a push-pull payload carries; a count above it is rejected before anything is allocated.
    public static let maxPushPullMembers = 65_536
    /// Names, addresses and the cluster name are 1…255 bytes.
    public static let maxStringLength = 255

    enum KindByte: UInt8 {
        case ping = 1
        case pingRequest = 2
        case ack = 3
        case nack = 4
        case gossip = 5
        case pushPull = 16
    }

    static let flagWantsNack: UInt8 = 0x01
    static let flagIsJoin: UInt8 = 0x01
    /// The smallest encoded update: one-byte name and address, no reporter.
    static let minimumUpdateSize = 1 + 1 + 8 + 1 + 1 + 1 + 8 + 1

    // MARK: Encoding

    public static func encode(_ message: GossipMessage) throws(GossipCodecError) -> [UInt8] {
        guard message.updates.count <= maxUpdatesPerMessage else {
            throw .messageTooLarge(message.updates.count)
        }
        var writer = ByteWriter()
        switch message.kind {
        case .ping(let ping):
            try writer.writeHeader(.ping, clusterName: message.clusterName, senderName: message.senderName)
            writer.write(ping.sequence)
            try writer.write(ping.targetName)
            writer.write(ping.targetBootID)
        case .pingRequest(let request):
            try writer.writeHeader(.pingRequest, clusterName: message.clusterName, senderName: message.senderName)
            writer.write(request.sequence)
            writer.write(request.wantsNack ? flagWantsNack : 0)
            try writer.write(request.target)
        case .ack(let ack):
            try writer.writeHeader(.ack, clusterName: message.clusterName, senderName: message.senderName)
            writer.write(ack.sequence)
        case .nack(let nack):
            try writer.writeHeader(.nack, clusterName: message.clusterName, senderName: message.senderName)
            writer.write(nack.sequence)
        case .gossip:
            try writer.writeHeader(.gossip, clusterName: message.clusterName, senderName: message.senderName)
        }
        writer.write(UInt8(message.updates.count))
        for update in message.updates {
            try writer.write(update)
        }
        return writer.bytes
    }

    public static func encode(_ payload: PushPullPayload) throws(GossipCodecError) -> [UInt8] {
        guard payload.members.count <= maxPushPullMembers else { throw .tooManyMembers(payload.members.count) }
        var writer = ByteWriter()
        try writer.writeHeader(.pushPull, clusterName: payload.clusterName, senderName: payload.senderName)
        writer.write(payload.isJoin ? flagIsJoin : 0)
        writer.write(UInt32(payload.members.count))
        for update in payload.members {
            try writer.write(update)
        }
        return writer.bytes
    }

    // MARK: Sizes

    /// The bytes `update` takes on the wire, used to fill a message up to its size budget.
    static func encodedSize(of update: MemberUpdate) -> Int {
        1 + update.identity.name.utf8.count + 8 + 1 + update.identity.address.utf8.count + 1 + 8 + 1
            + (update.reporter?.utf8.count ?? 0)
    }

    /// The bytes of a message of `kind` before its updates, the update count byte included.
    static func encodedSizeWithoutUpdates(kind: GossipMessage.Kind, clusterName: String, senderName: String) -> Int {
        let header = 4 + 1 + clusterName.utf8.count + 1 + senderName.utf8.count
        let body: Int
        switch kind {
        case .ping(let ping): body = 4 + 1 + ping.targetName.utf8.count + 8
        case .pingRequest(let request):
            body = 4 + 1 + 1 + request.target.name.utf8.count + 8 + 1 + request.target.address.utf8.count
        case .ack, .nack: body = 4
        case .gossip: body = 0
        }
        return header + body + 1
    }

    /// Whether `string` fits a one-byte length prefix and is not empty.
    static func isEncodable(_ string: String) -> Bool {
        (1...maxStringLength).contains(string.utf8.count)
    }
}

/// Appends big-endian fields to a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// A non-empty string of at most 255 bytes.
    mutating func write(_ string: String) throws(GossipCodecError) {
        let length = string.utf8.count
        guard length > 0 else { throw .emptyString }
        try writeOptional(string)
    }

    /// A string that may be empty (the reporter of an update: zero length means none).
    mutating func writeOptional(_ string: String?) throws(GossipCodecError) {
        guard let string else {
            bytes.append(0)
            return
        }
        let length = string.utf8.count
        guard length <= GossipCodec.maxStringLength else { throw .stringTooLong(length) }
        bytes.append(UInt8(length))
        bytes.append(contentsOf: string.utf8)
    }

    mutating func writeHeader(
        _ kind: GossipCodec.KindByte,
        clusterName: String,
        senderName: String
    ) throws(GossipCodecError) {
        bytes.append(GossipCodec.magic.0)
        bytes.append(GossipCodec.magic.1)
        bytes.append(GossipCodec.version)
        bytes.append(kind.rawValue)
        try write(clusterName)
        try write(senderName)
    }

    mutating func write(_ identity: NodeIdentity) throws(GossipCodecError) {
        try write(identity.name)
        write(identity.bootID)
        try write(identity.address)
    }

    mutating func write(_ update: MemberUpdate) throws(GossipCodecError) {
        try write(update.identity)
        write(update.state.rawValue)
        write(update.incarnation)
        if let reporter = update.reporter, reporter.isEmpty {
            throw .emptyString
        }
        try writeOptional(update.reporter)
    }
}
