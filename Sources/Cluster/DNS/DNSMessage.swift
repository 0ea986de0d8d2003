/// DNS messages, just enough of them to ask for SRV records and read the answer.
///
/// The format is RFC 1035 §4.1: a 12-byte header (id, flags, four section counts), then the question,
/// answer, authority and additional sections. Names are length-prefixed labels ending in a zero byte,
/// and may end instead in a two-byte compression pointer to an earlier offset (§4.1.4). SRV records are
/// RFC 2782 (priority, weight, port, target); AAAA records are RFC 3596.
///
/// The codec is pure: ``query(id:name:type:)`` takes its id from the caller, and
/// ``parseResponse(_:expectedID:)`` reads a whole datagram and throws ``DNSMessageError`` on anything
/// malformed. It never traps on hostile bytes: every read is bounds-checked, a pointer out of the message
/// is an error, and a name longer than 255 bytes is an error.
///
/// Deviations and simplifications:
/// - A compression pointer must point before the start of the labels it was reached from (§4.1.4 says
///   "a prior occurrence"). Each jump therefore moves strictly backwards, which rules out loops without
///   counting jumps; a forward pointer is rejected as ``DNSMessageError/pointerLoop``.
/// - No EDNS(0) (RFC 6891): answers over UDP stay within 512 bytes. When the server sets the TC bit the
///   records that arrived whole are used and the rest are dropped; there is no retry over TCP. For
///   discovery a partial list is enough, since gossip spreads the rest of the membership.
/// - Owner names in the answer are not matched against the question; the id and the QR bit are checked.
///   Target names are matched to address records case-insensitively (ASCII), as §2.3.3 requires.
/// - NXDOMAIN is an empty answer, not an error: the name has no records (yet).
enum DNSMessage {
    /// A record type (RFC 1035 §3.2.2), open to values this codec does not read.
    struct RecordType: Hashable, Sendable {
        let rawValue: UInt16

        static let a = RecordType(rawValue: 1)
        static let aaaa = RecordType(rawValue: 28)
        static let srv = RecordType(rawValue: 33)
    }

    /// The Internet class, the only one read.
    static let classIN: UInt16 = 1
    /// Header flag bits (RFC 1035 §4.1.1).
    static let flagResponse: UInt16 = 0x8000
    static let flagTruncated: UInt16 = 0x0200
    static let flagRecursionDesired: UInt16 = 0x0100
    static let rcodeNameError: UInt8 = 3
    static let headerLength = 12
    /// Longest name on the wire, length bytes and the final zero included (RFC 1035 §2.3.4).
    static let maximumNameLength = 255
    static let maximumLabelLength = 63

    /// A standard query with recursion desired and one question of `type`, class IN, for `name`
    /// (absolute; one trailing dot is allowed). Search domains are not applied.
    static func query(id: UInt16, name: String, type: RecordType = .srv) throws(DNSMessageError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerLength + name.utf8.count + 6)
        append(id, to: &bytes)
        append(flagRecursionDesired, to: &bytes)
        append(1, to: &bytes)  // QDCOUNT
        append(0, to: &bytes)  // ANCOUNT
        append(0, to: &bytes)  // NSCOUNT
        append(0, to: &bytes)  // ARCOUNT
        bytes += try encode(name: name)
        append(type.rawValue, to: &bytes)
        append(classIN, to: &bytes)
        return bytes
    }

    /// `name` as uncompressed labels.
    static func encode(name: String) throws(DNSMessageError) -> [UInt8] {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        var bytes: [UInt8] = []
        if !text.isEmpty {
            for label in text.split(separator: ".", omittingEmptySubsequences: false) {
                let utf8 = Array(label.utf8)
                guard (1...maximumLabelLength).contains(utf8.count) else { throw .invalidName }
                bytes.append(UInt8(utf8.count))
                bytes += utf8
            }
        }
        bytes.append(0)
        guard bytes.count <= maximumNameLength else { throw .invalidName }
        return bytes
    }

    private static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }
}
