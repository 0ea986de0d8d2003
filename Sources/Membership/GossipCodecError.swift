/// Why bytes were rejected as a gossip message or push-pull payload. The decoder returns these and never traps.
public struct GossipCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: Hashable, Sendable {
        case truncated
        case badMagic
        case unsupportedVersion(UInt8)
        case unknownMessageKind(UInt8)
        case unknownFlags(UInt8)
        case emptyString
        case invalidUTF8
        case invalidMemberState(UInt8)
        case tooManyMembers(Int)
        case trailingBytes(Int)
        case stringTooLong(Int)
        case messageTooLarge(Int)
    }

    private let reason: Reason

    private init(_ reason: Reason) {
        self.reason = reason
    }

    /// The bytes end inside a field.
    public static let truncated = Self(.truncated)
    /// The first two bytes are not `S` `M`.
    public static let badMagic = Self(.badMagic)
    public static func unsupportedVersion(_ version: UInt8) -> Self { Self(.unsupportedVersion(version)) }
    public static func unknownMessageKind(_ kind: UInt8) -> Self { Self(.unknownMessageKind(kind)) }
    public static func unknownFlags(_ flags: UInt8) -> Self { Self(.unknownFlags(flags)) }
    /// A name, address or cluster name has zero length.
    public static let emptyString = Self(.emptyString)
    public static let invalidUTF8 = Self(.invalidUTF8)
    public static func invalidMemberState(_ state: UInt8) -> Self { Self(.invalidMemberState(state)) }
    /// A count above the cap, or above what the remaining bytes could possibly hold.
    public static func tooManyMembers(_ count: Int) -> Self { Self(.tooManyMembers(count)) }
    public static func trailingBytes(_ count: Int) -> Self { Self(.trailingBytes(count)) }
    /// Raised when encoding: strings are at most 255 bytes on the wire.
    public static func stringTooLong(_ length: Int) -> Self { Self(.stringTooLong(length)) }
    /// Raised when encoding a gossip message with more updates than a message may carry.
    public static func messageTooLarge(_ updates: Int) -> Self { Self(.messageTooLarge(updates)) }

    public var description: String {
        switch reason {
        case .truncated: "truncated"
        case .badMagic: "bad magic"
        case .unsupportedVersion(let version): "unsupported version \(version)"
        case .unknownMessageKind(let kind): "unknown message kind \(kind)"
        case .unknownFlags(let flags): "unknown flags \(flags)"
        case .emptyString: "empty string"
        case .invalidUTF8: "invalid UTF-8"
        case .invalidMemberState(let state): "invalid member state \(state)"
        case .tooManyMembers(let count): "too many members (\(count))"
        case .trailingBytes(let count): "\(count) trailing bytes"
        case .stringTooLong(let length): "string of \(length) bytes is too long"
        case .messageTooLarge(let updates): "message with \(updates) updates is too large"
        }
    }
}
