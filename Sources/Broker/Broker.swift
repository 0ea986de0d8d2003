import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Synchronization
import Topics

/// A complete single-node MQTT broker: one shard per event loop, plus the state that
/// must have one view across loops (which session owns a client identifier, retained
/// messages, shared subscription groups).
///
/// `@unchecked Sendable`: `shards` is assigned once, in `init`, and never mutated after;
/// every other stored property is immutable or synchronises itself.
public final class Broker: @unchecked Sendable {
    public let settings: BrokerSettings
    public let logger: Logger
    public private(set) var shards: [Shard] = []
    let retained: RetainedStore
    let sharedSubscriptions: SharedSubscriptionTable
    private let registry = NIOLockedValueBox([String: RegistryEntry]())
    /// Sessions that moved to another node and still pass on what reaches them here, by client identifier.
    let stubs = NIOLockedValueBox([String: RegistryEntry]())
    /// The cluster layer, when this node is part of one; set once by `attach(cluster:)` before clients connect.
    public internal(set) var cluster: (any ClusterBridge)?
    /// How this node is named to its peers (settles exclusive-subscription races).
    public let nodeName: String
    let routeState = NIOLockedValueBox(LocalRouteState())
    /// Online sessions that slow publishers: behind (queue past ``congestionWatermark``, or send buffer
    /// full) and not stalled (see `CongestionState`).
    let congestedSessions = Atomic<Int>(0)
    private let publisherPauseCount = Atomic<Int>(0)
    let exclusiveState = NIOLockedValueBox(ExclusiveState())
    private let nextSessionID = Atomic<UInt64>(1)
    private let assignedClientIDCounter = Atomic<UInt64>(0)
    let bootID = UInt64.random(in: 1...UInt64.max)

    struct RegistryEntry {
        var sessionID: SessionID
        var shardIndex: Int
    }

    public init(
        settings: BrokerSettings,
        eventLoops: [any EventLoop],
        sharedSubscriptionStrategy: SharedSubscriptionStrategy = .roundRobin,
        nodeName: String = "local",
        logger: Logger
    ) {
        precondition(!eventLoops.isEmpty, "a broker needs at least one event loop")
        self.settings = settings
        self.nodeName = nodeName
        self.logger = logger
        self.retained = RetainedStore(capacity: settings.maximumRetainedMessages, node: nodeName)
        self.sharedSubscriptions = SharedSubscriptionTable(strategy: sharedSubscriptionStrategy)
        self.shards = eventLoops.enumerated().map { index, loop in
            Shard(index: index, eventLoop: loop, shardCount: eventLoops.count, broker: self)
        }
    }

    /// The shard of the event loop a connection was accepted on.
    public func shard(for eventLoop: any EventLoop) -> Shard {
        shards.first { $0.eventLoop === eventLoop } ?? shards[0]
    }

    /// A client identifier for a client that sent none: unique per process and boot.
    public func makeClientID() -> String {
        let counter = assignedClientIDCounter.add(1, ordering: .relaxed).newValue
        return "starling-" + String(bootID, radix: 36) + "-" + String(counter, radix: 36)
    }

    // MARK: Connecting

    /// Finds or creates the session for an accepted CONNECT and attaches the connection,
    /// which receives CONNACK. Called on `shard`'s event loop (the connection's).
    ///
    /// At most one connection per client identifier [MQTT-3.1.4-3]: an existing session's
    /// connection is closed with 0x8E. All connects of one identifier meet on the loop of
    /// the session, so simultaneous CONNECTs are serialised there.
    public func connect(
        _ negotiated: NegotiatedConnect,
        connection: any SessionConnection,
        on shard: Shard
    ) -> EventLoopFuture<Session> {
        shard.eventLoop.assertInEventLoop()
        guard let cluster else { return connect(negotiated, connection: connection, on: shard, adopting: nil) }
        // In a cluster the client identifier is claimed cluster-wide first; a session another node held
        // comes back with the claim.
        let promise = shard.eventLoop.makePromise(of: Session.self)
        cluster.claimSession(clientID: negotiated.clientID, cleanStart: negotiated.cleanStart) { snapshot in
            let attached = shard.eventLoop.flatSubmit {
                self.connect(negotiated, connection: connection, on: shard, adopting: snapshot)
            }
            attached.cascade(to: promise)
            return attached.map { _ in }
        }
        return promise.futureResult
    }

    func connect(
        _ negotiated: NegotiatedConnect,
        connection: any SessionConnection,
        on shard: Shard,
        ended: SessionID? = nil,
        adopting snapshot: SessionSnapshot?
    ) -> EventLoopFuture<Session> {
        enum Claim {
            case created(Session)
            case existing(RegistryEntry)
        }
        let claim = registry.withLockedValue { registry -> Claim in
            if let entry = registry[negotiated.clientID], entry.sessionID != ended {
                return .existing(entry)
            }
            let id = SessionID(nextSessionID.add(1, ordering: .relaxed).newValue)
            registry[negotiated.clientID] = RegistryEntry(sessionID: id, shardIndex: shard.index)
            return .created(Session(id: id, negotiated: negotiated, shard: shard))
        }
        switch claim {
        case .created(let session):
            shard.sessions[session.id] = session
            if let snapshot { session.restore(snapshot) }
            session.attach(connection, negotiated: negotiated, sessionPresent: snapshot != nil)
            return shard.eventLoop.makeSucceededFuture(session)
        case .existing(let entry):
            let home = shards[entry.shardIndex]
            return home.eventLoop.flatSubmit { () -> EventLoopFuture<Session> in
                if let session = home.sessions[entry.sessionID],
                    let resumed = session.takeOver(cleanStart: negotiated.cleanStart)
                {
                    if let snapshot { resumed.merge(snapshot) }
                    resumed.attach(connection, negotiated: negotiated, sessionPresent: true)
                    return home.eventLoop.makeSucceededFuture(resumed)
                }
                // The session ended (Clean Start, expiry): start a new one where the connection is.
                return shard.eventLoop.flatSubmit {
                    self.connect(
                        negotiated,
                        connection: connection,
                        on: shard,
                        ended: entry.sessionID,
                        adopting: snapshot
                    )
                }
            }
        }
    }

    /// The shard and session a client identifier names here, if any.
    func registered(_ clientID: String) -> RegistryEntry? {
        registry.withLockedValue { $0[clientID] }
    }

    /// Client identifiers of every session this node holds.
    public var sessionClientIDs: [String] {
        registry.withLockedValue { Array($0.keys) }
    }

    /// Adds a session that was created elsewhere (pushed here) to the registry, unless one exists.
    func registerIfAbsent(_ clientID: String, create: () -> Session) -> (Session?, RegistryEntry?) {
        registry.withLockedValue { registry in
            if let entry = registry[clientID] { return (nil, entry) }
            let session = create()
            registry[clientID] = RegistryEntry(sessionID: session.id, shardIndex: session.shard.index)
            return (session, nil)
        }
    }

    func makeSessionID() -> SessionID {
        SessionID(nextSessionID.add(1, ordering: .relaxed).newValue)
    }

    func unregister(clientID: String, sessionID: SessionID) {
        registry.withLockedValue { registry in
            if registry[clientID]?.sessionID == sessionID {
                registry.removeValue(forKey: clientID)
            }
        }
    }

    /// Hands a packet from a connection to its session, on the session's loop.
    public func received(_ packet: MQTTPacket, for session: Session, from connection: any SessionConnection) {
        let shard = session.shard
        if shard.eventLoop.inEventLoop {
            session.received(packet, from: connection)
        } else {
            shard.eventLoop.execute { session.received(packet, from: connection) }
        }
    }

    /// Tells a session its connection closed, on the session's loop.
    public func connectionClosed(_ connection: any SessionConnection, session: Session) {
        session.shard.execute { session.connectionClosed(connection) }
    }

    /// The connection's send buffer drained after being full (see `SessionConnection.isWritable`).
    public func connectionWritable(_ connection: any SessionConnection, session: Session) {
        session.shard.execute { session.connectionWritable(connection) }
    }

    // MARK: Publishing

    /// Routes a message to every matching subscriber and updates the retained store.
    func publish(_ message: Message, publisherClientID: String?, on shard: Shard) {
        if message.retain { storeRetained(message, on: shard) }
        shard.route(message, publisherClientID: publisherClientID)
    }

    // MARK: Exclusive subscriptions

    /// Grants `filter` to `session` unless another session here or a node elsewhere holds it.
    func claimExclusive(_ filter: TopicFilter, for session: SessionID, clientID: String) -> Bool {
        exclusiveState.withLockedValue { state in
            if let holder = state.local[filter] { return holder.session == session }
            var grantedAt = Self.millisecondsSinceEpoch()
            if let claims = state.remote[filter] {
                // Held elsewhere: refused, unless by this very client, whose session is moving here and
                // keeps its grant.
                guard let moving = claims.values.first(where: { $0.clientID == clientID }) else { return false }
                grantedAt = moving.grantedAt
            }
            state.local[filter] = ExclusiveGrant(session: session, clientID: clientID, grantedAt: grantedAt)
            cluster?.localRouteChanged(
                .exclusive(filter: filter, clientID: clientID, grantedAt: grantedAt),
                added: true
            )
            return true
        }
    }

    func releaseExclusive(_ filter: TopicFilter, for session: SessionID) {
        exclusiveState.withLockedValue { state in
            guard let holder = state.local[filter], holder.session == session else { return }
            state.local.removeValue(forKey: filter)
            cluster?.localRouteChanged(
                .exclusive(filter: filter, clientID: holder.clientID, grantedAt: holder.grantedAt),
                added: false
            )
        }
    }

    // MARK: Flow control

    /// Queue length at which an online session counts as falling behind.
    var congestionWatermark: Int { max(1, settings.maximumQueuedMessages / 2) }

    /// Whether some online subscriber is falling behind. Connections that publish then pause reading for
    /// a moment, so publishers slow to what subscribers take instead of filling queues until they overflow.
    /// A pause is short and always ends, and a subscriber that makes no progress for a second stops
    /// counting, so one stuck subscriber can slow publishers for a moment but never stop them.
    public var isCongested: Bool { congestedSessions.load(ordering: .relaxed) > 0 }

    /// Times a publishing connection paused because a subscriber was falling behind.
    public var publisherPauses: Int { publisherPauseCount.load(ordering: .relaxed) }

    public func countPublisherPause() {
        publisherPauseCount.add(1, ordering: .relaxed)
    }

    // MARK: Figures

    /// Counters summed over all shards.
    public func statistics() -> EventLoopFuture<ShardStatistics> {
        let futures = shards.map { shard in shard.eventLoop.submit { shard.statistics } }
        return EventLoopFuture.reduce(ShardStatistics(), futures, on: shards[0].eventLoop, +)
    }

    public var retainedMessageCount: Int { retained.count }
}
