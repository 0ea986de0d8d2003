import ClusterProtocol
import Crypto

/// The handshake of a peer link as a pure state machine: both sides send HELLO, then AUTHENTICATE with
/// a proof of the cluster secret over the other's nonce. Nothing flows before both proofs check out.
struct PeerHandshake {
    struct Local {
        var clusterName: String
        var nodeName: String
        var bootID: UInt64
        var secret: [UInt8]
    }

    struct Established: Equatable {
        var version: UInt8
        var peerName: String
        var peerBootID: UInt64
    }

    enum Action: Equatable {
        case send(PeerFrame)
        case established(Established)
        case fail(String)
        case none
    }

    private enum State {
        case awaitingHello
        case awaitingAuthenticate(peer: PeerFrame.Hello, version: UInt8)
        case established
        case failed
    }

    private let local: Local
    let nonce: [UInt8]
    private var state = State.awaitingHello

    init(local: Local, nonce: [UInt8]) {
        self.local = local
        self.nonce = nonce
    }

    /// The first frame this side sends.
    var hello: PeerFrame {
        .hello(
            PeerFrame.Hello(
                minimumVersion: PeerFrameCodec.minimumVersion,
                maximumVersion: PeerFrameCodec.maximumVersion,
                clusterName: local.clusterName,
                nodeName: local.nodeName,
                bootID: local.bootID,
                nonce: nonce
            )
        )
    }

    var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    mutating func receive(_ frame: PeerFrame) -> Action {
        switch (state, frame) {
        case (.awaitingHello, .hello(let hello)):
            guard hello.clusterName == local.clusterName else {
                return fail(
                    "peer \(hello.nodeName) is in cluster \"\(hello.clusterName)\", not \"\(local.clusterName)\""
                )
            }
            guard hello.nodeName != local.nodeName else {
                return fail("peer claims this node's own name \(hello.nodeName)")
            }
            let highest = min(hello.maximumVersion, PeerFrameCodec.maximumVersion)
            guard highest >= max(hello.minimumVersion, PeerFrameCodec.minimumVersion) else {
                return fail(
                    "no common protocol version: peer speaks \(hello.minimumVersion)…\(hello.maximumVersion), "
                        + "this node \(PeerFrameCodec.minimumVersion)…\(PeerFrameCodec.maximumVersion)"
                )
            }
            state = .awaitingAuthenticate(peer: hello, version: highest)
            let proof = Self.proof(secret: local.secret, nonce: hello.nonce, name: local.nodeName, bootID: local.bootID)
            return .send(.authenticate(PeerFrame.Authenticate(version: highest, proof: proof)))
        case (.awaitingAuthenticate(let peer, let version), .authenticate(let authenticate)):
            let expected = Self.proof(secret: local.secret, nonce: nonce, name: peer.nodeName, bootID: peer.bootID)
            guard Self.constantTimeEqual(expected, authenticate.proof) else {
                return fail("peer \(peer.nodeName) failed authentication (another cluster secret?)")
            }
            guard authenticate.version == version else {
                return fail("peer \(peer.nodeName) chose version \(authenticate.version), expected \(version)")
            }
            state = .established
            return .established(Established(version: version, peerName: peer.nodeName, peerBootID: peer.bootID))
        case (.established, _), (.failed, _):
            return .none
        case (_, .unknown):
            return .none
        default:
            return fail("unexpected \(frame) during the handshake")
        }
    }

    private mutating func fail(_ reason: String) -> Action {
        state = .failed
        return .fail(reason)
    }

    /// HMAC-SHA256(secret, nonce ‖ name ‖ bootID big-endian).
    static func proof(secret: [UInt8], nonce: [UInt8], name: String, bootID: UInt64) -> [UInt8] {
        var message = nonce
        message.append(contentsOf: Array(name.utf8))
        withUnsafeBytes(of: bootID.bigEndian) { message.append(contentsOf: $0) }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
