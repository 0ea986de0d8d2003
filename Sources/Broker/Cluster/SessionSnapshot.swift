import MQTTCodec

/// A session on its way between nodes: what must survive the move. The new connection brings its own
/// keep alive, will and expiry; `expiryInterval` and `will` matter only for a session moved while offline.
public struct SessionSnapshot: Sendable {
    public struct Subscription: Sendable {
        /// As the client wrote it, `$share/…` or `$exclusive/…` prefix included.
        public var filter: String
        public var entry: SubscriptionEntry

        public init(filter: String, entry: SubscriptionEntry) {
            self.filter = filter
            self.entry = entry
        }
    }

    public var clientID: String
    public var subscriptions: [Subscription]
    /// Incoming QoS 2 packet identifiers not yet released [MQTT-4.3.3-10].
    public var awaitingRelease: [UInt16]
    public var outbound: OutboundFlow.Snapshot
    public var expiryInterval: UInt32
    public var will: PendingWill?
    /// When the holder claimed the session (milliseconds since the epoch; 0: unknown).
    public var claimedAt: UInt64 = 0

    public struct PendingWill: Sendable {
        public var will: WillMessage
        /// Seconds still to wait before it is published.
        public var delay: UInt32

        public init(will: WillMessage, delay: UInt32) {
            self.will = will
            self.delay = delay
        }
    }

    public init(
        clientID: String,
        subscriptions: [Subscription] = [],
        awaitingRelease: [UInt16] = [],
        outbound: OutboundFlow.Snapshot = .init(),
        expiryInterval: UInt32 = 0,
        will: PendingWill? = nil
    ) {
        self.clientID = clientID
        self.subscriptions = subscriptions
        self.awaitingRelease = awaitingRelease
        self.outbound = outbound
        self.expiryInterval = expiryInterval
        self.will = will
    }

    /// Every message the snapshot carries, to seed the new holder's duplicate check.
    var origins: [MessageOrigin] {
        outbound.inflight.map(\.delivery.message.origin) + outbound.queued.map(\.message.origin)
    }
}

/// Where a client's session is, as `GET /api/v1/clients/{clientid}` reports it.
public struct ClientSessionView: Sendable, Equatable {
    public var clientID: String
    public var node: String
    public var connected: Bool
    public var protocolVersion: String
    public var subscriptions: [String]
    public var inflight: Int
    public var queued: Int
    public var sessionExpiryInterval: UInt32
    public var hasWill: Bool

    public init(
        clientID: String,
        node: String,
        connected: Bool,
        protocolVersion: String,
        subscriptions: [String],
        inflight: Int,
        queued: Int,
        sessionExpiryInterval: UInt32,
        hasWill: Bool
    ) {
        self.clientID = clientID
        self.node = node
        self.connected = connected
        self.protocolVersion = protocolVersion
        self.subscriptions = subscriptions
        self.inflight = inflight
        self.queued = queued
        self.sessionExpiryInterval = sessionExpiryInterval
        self.hasWill = hasWill
    }
}
