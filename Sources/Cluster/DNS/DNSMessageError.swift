/// Why a DNS message could not be built or read. A struct around a private enum, so a new case never
/// breaks a caller; equal when the kinds are equal.
struct DNSMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case invalidName
        case truncated
        case pointerOutOfRange
        case pointerLoop
        case reservedLabelType
        case nameTooLong
        case malformedRecord
        case unexpectedID
        case notAResponse
        case serverFailure(rcode: UInt8)
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// A name to ask about with an empty label, a label over 63 bytes, or over 255 bytes in all.
    static let invalidName = DNSMessageError(.invalidName)
    /// The message ends inside a header, a name or a record.
    static let truncated = DNSMessageError(.truncated)
    /// A compression pointer names an offset past the end of the message.
    static let pointerOutOfRange = DNSMessageError(.pointerOutOfRange)
    /// A compression pointer does not point before the labels that led to it.
    static let pointerLoop = DNSMessageError(.pointerLoop)
    /// A label starts with the reserved bit patterns 01 or 10 (RFC 6891 §5 retired extended labels).
    static let reservedLabelType = DNSMessageError(.reservedLabelType)
    /// A name that decompresses to more than 255 bytes.
    static let nameTooLong = DNSMessageError(.nameTooLong)
    /// A record whose data does not have the length its type requires.
    static let malformedRecord = DNSMessageError(.malformedRecord)
    /// The answer carries another query's id: stale, or forged.
    static let unexpectedID = DNSMessageError(.unexpectedID)
    /// The QR bit is clear: the message is a query.
    static let notAResponse = DNSMessageError(.notAResponse)

    /// The server answered with an RCODE other than NOERROR and NXDOMAIN.
    static func serverFailure(rcode: UInt8) -> DNSMessageError { DNSMessageError(.serverFailure(rcode: rcode)) }

    var description: String {
        switch kind {
        case .invalidName: "the name cannot be asked about"
        case .truncated: "the DNS message is truncated"
        case .pointerOutOfRange: "a compression pointer leaves the DNS message"
        case .pointerLoop: "a compression pointer does not point backwards"
        case .reservedLabelType: "a label has a reserved type"
        case .nameTooLong: "a name is longer than 255 bytes"
        case .malformedRecord: "a record's data has the wrong length"
        case .unexpectedID: "the answer is for another query"
        case .notAResponse: "the message is not a response"
        case .serverFailure(let rcode): "the server answered with RCODE \(rcode)"
        }
    }
}
