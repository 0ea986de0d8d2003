import Crypto

/// Seals gossip bytes with an HMAC-SHA256 tag keyed by the cluster secret, and opens sealed bytes.
///
/// Every datagram and push-pull frame is `payload ‖ tag(32)`. A node with another secret produces tags
/// that never verify, so its messages are dropped before they are decoded: it is never admitted.
/// The cluster name travels inside the payload, which the tag covers.
public struct GossipAuthenticator: Sendable {
    public static let tagLength = 32
    /// The secret's bytes; `SymmetricKey` is not `Sendable`, so it is made per use (a copy of 32-ish bytes).
    private let secret: [UInt8]

    public init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    public func seal(_ payload: [UInt8]) -> [UInt8] {
        var sealed = payload
        sealed.reserveCapacity(payload.count + Self.tagLength)
        sealed.append(contentsOf: HMAC<SHA256>.authenticationCode(for: payload, using: key))
        return sealed
    }

    /// The payload when the tag verifies, else nil.
    public func open(_ sealed: [UInt8]) -> [UInt8]? {
        guard sealed.count > Self.tagLength else { return nil }
        let payload = Array(sealed[..<(sealed.count - Self.tagLength)])
        let tag = sealed[(sealed.count - Self.tagLength)...]
        guard HMAC<SHA256>.isValidAuthenticationCode(tag, authenticating: payload, using: key) else { return nil }
        return payload
    }
}
