/// Why bytes were rejected as a peer frame. A malformed frame closes the link with this as the logged reason.
public enum PeerFrameError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(field: String)
    case frameTooLarge(length: Int, maximum: Int)
    case emptyFrame
    case invalidUTF8(field: String)
    case stringTooLong(field: String, length: Int)
    case tooMany(field: String, count: Int)
    case invalidValue(field: String, value: UInt64)
    case badNonce(length: Int)
    case badProof(length: Int)
    case invalidPublish(String)
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated(let field): "frame ends inside \(field)"
        case .frameTooLarge(let length, let maximum): "frame of \(length) bytes exceeds \(maximum)"
        case .emptyFrame: "frame without a type"
        case .invalidUTF8(let field): "\(field) is not UTF-8"
        case .stringTooLong(let field, let length): "\(field) of \(length) bytes is too long"
        case .tooMany(let field, let count): "\(count) \(field) is too many"
        case .invalidValue(let field, let value): "invalid \(field) \(value)"
        case .badNonce(let length): "nonce of \(length) bytes, expected \(PeerFrameCodec.nonceLength)"
        case .badProof(let length): "proof of \(length) bytes, expected \(PeerFrameCodec.proofLength)"
        case .invalidPublish(let reason): "forwarded PUBLISH is invalid: \(reason)"
        case .trailingBytes(let count): "\(count) bytes after the end of the frame body"
        }
    }
}
