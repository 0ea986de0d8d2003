import Broker
import ClusterProtocol
import NIOCore

/// What the router tracks of sessions moving between nodes. Lives on the router's loop.
struct SessionCoordination {
    var directory = SessionDirectory()
    /// CONNECTs accepted here whose claim, fetch or attach is under way, by client identifier.
    var pending: [String: PendingConnect] = [:]
    var nextRequestID: UInt64 = 0
    /// Claims sent to another directory node, by request id.
    var claimRequests: [UInt64: String] = [:]
    /// Sessions handed to another node whose stub still passes messages on, with that node.
    var moved: [String: String] = [:]
    /// Sessions this node holds, with when they were claimed (what the directory is told).
    var held: [String: UInt64] = [:]
    /// Handoffs arriving in several parts, by sending node and client identifier.
    var incoming: [IncomingHandoff: [PeerFrame.SessionState]] = [:]
    /// Claims waiting for the link to their directory node.
    var awaitingLink: [String: [String]] = [:]
    /// Moves whose new holder has not yet said its routes are everywhere; fetches for those sessions that
    /// reach this node wait for that before they are sent on.
    var unreleased: Set<String> = []
    var fetchesAwaitingRelease: [String: [(node: String, fetch: PeerFrame.SessionFetch)]] = [:]
    /// Completed when a drain's last moved session is released.
    var drainWaiter: EventLoopPromise<Void>?
    var lookups: [UInt64: EventLoopPromise<String?>] = [:]
    var details: [UInt64: EventLoopPromise<ClientSessionView?>] = [:]
    var counters = SessionCounters()
    /// This node's MQTT port once its listener is bound, and each peer's as it announced it.
    var localMQTTPort: UInt16?
    var peerMQTTPorts: [String: UInt16] = [:]
    /// Members that announced a drain: they keep no directory records from then on.
    var drainingPeers: Set<String> = []
    /// Sessions pushed here that are being taken in, with messages passed on for them meanwhile.
    var adopting: [String: [PeerFrame.ForwardedMessage]] = [:]

    struct IncomingHandoff: Hashable {
        var node: String
        var clientID: String
    }

    /// Messages held back per session while it is being attached or taken in; more are dropped and counted.
    static let heldBackLimit = 65_536
    /// Messages one handoff may carry: a full inflight window and a long queue.
    static let handoffMessageLimit = 65_535 + 1_000_000
    /// Fetches, and CONNECTs on this node, of one client identifier that may wait here at once.
    static let waitingFetchLimit = 64

    mutating func makeRequestID() -> UInt64 {
        nextRequestID &+= 1
        return nextRequestID
    }
}

/// One CONNECT on its way through the registry.
///
/// `@unchecked Sendable`: created, read and changed only on the router's loop; timers that capture it run
/// there too.
final class PendingConnect: @unchecked Sendable {
    enum Stage {
        case claiming(directory: String)
        case fetching(from: String, redirects: Int)
        /// The broker is attaching the session; `from` is the node it came from, if any.
        case attaching(from: String?)
        /// The session's holder pushed it here and it is being taken in: the CONNECT attaches to it
        /// once it is there.
        case awaitingAdoption
    }

    let clientID: String
    let cleanStart: Bool
    let attach: @Sendable (SessionSnapshot?) -> EventLoopFuture<Void>
    let startedAt = NIODeadline.now()
    var requestID: UInt64 = 0
    var claimedAt: UInt64 = 0
    /// The claim's place in the directory's order, once the directory answered.
    var generation: UInt64?
    var stage: Stage = .claiming(directory: "")
    var timeout: Scheduled<Void>?
    /// Fetches from other nodes that arrived before this connect finished: answered after it.
    var deferredFetches: [DeferredFetch] = []
    /// Messages the old holder passed on before the session was attached here.
    var deferredDeliveries: [PeerFrame.ForwardedMessage] = []
    /// Further CONNECTs of the same client identifier on this node, started in turn.
    var waiting: [(cleanStart: Bool, attach: @Sendable (SessionSnapshot?) -> EventLoopFuture<Void>)] = []

    struct DeferredFetch {
        var node: String
        var fetch: PeerFrame.SessionFetch
    }

    init(clientID: String, cleanStart: Bool, attach: @escaping @Sendable (SessionSnapshot?) -> EventLoopFuture<Void>) {
        self.clientID = clientID
        self.cleanStart = cleanStart
        self.attach = attach
    }
}

/// Registry figures, shown on `GET /api/v1/cluster/sessions`.
public struct SessionCounters: Sendable, Equatable {
    public var claims: UInt64 = 0
    /// CONNECTs that brought a session from another node.
    public var takeovers: UInt64 = 0
    public var handedOff: UInt64 = 0
    public var pushed: UInt64 = 0
    public var adoptedPushes: UInt64 = 0
    public var claimTimeouts: UInt64 = 0
    public var fetchTimeouts: UInt64 = 0
    public var evictions: UInt64 = 0
    /// Messages for a moving session dropped because more were held back than ``heldBackLimit`` allows or a
    /// handoff carried more than a session can hold.
    public var droppedWhileMoving: UInt64 = 0
    /// Fetches answered "no session" because too many of one client identifier were waiting.
    public var refusedFetches: UInt64 = 0
    /// The longest and the latest time from CONNECT to attach of a session that came from another node.
    public var takeoverMillisecondsMax: Double = 0
    public var takeoverMillisecondsLast: Double = 0
    public var directoryRecords: Int = 0
    public var heldSessions: Int = 0

    public init() {}
}
