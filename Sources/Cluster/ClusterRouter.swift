import Broker
import ClusterProtocol
import Logging
import MQTTCodec
import Membership
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Topics

/// The cluster's data plane: peer links to every alive member, route replication both ways, and forwarding
/// of publishes to the nodes that want them. Implements the broker's ``ClusterBridge``.
///
/// Confinement: every stored property but the route table and the outboxes lives on `loop` (the gossip
/// loop). The broker calls in from its shard loops; those calls hop here, batched once per tick per shard.
public final class ClusterRouter: ClusterBridge, @unchecked Sendable {
    public struct Limits: Sendable {
        /// Unacknowledged QoS 1/2 forwards kept per peer for replay.
        public var replayCapacity = 100_000
        /// Forwards older than this are not replayed.
        public var replayMaximumAge = TimeAmount.seconds(30)
        /// How long and how many tombstones of cleared retained messages are kept.
        public var retainedTombstones = RetainedTombstonePolicy()

        public init(
            replayCapacity: Int = 100_000,
            replayMaximumAge: TimeAmount = .seconds(30),
            retainedTombstones: RetainedTombstonePolicy = RetainedTombstonePolicy()
        ) {
            self.replayCapacity = replayCapacity
            self.replayMaximumAge = replayMaximumAge
            self.retainedTombstones = retainedTombstones
        }
    }

    let loop: any EventLoop
    let logger: Logger
    let broker: Broker
    let localName: String
    private let localBootID: UInt64
    private let clusterName: String
    private let secret: [UInt8]
    private let limits: Limits
    let remoteRoutes = RemoteRouteTable()
    /// Retained messages to and from peers (RetainedReplication.swift).
    let retained: RetainedReplication

    // On `loop`:
    var links: [String: PeerLink] = [:]
    var alivePeers: [String: Member] = [:]
    private var dialing: Set<String> = []
    private var backoff: [String: TimeAmount] = [:]
    private var localSequence: UInt64 = 0
    private var peerRoutes: [String: PeerRouteState] = [:]
    private var replay: [String: ForwardReplayBuffer] = [:]
    /// Per peer: its boot and the highest forward id delivered from it.
    private var delivered: [String: (bootID: UInt64, lastID: UInt64)] = [:]
    var counters = ClusterCounters()
    /// Per peer: the highest of this node's route sequence numbers it has applied.
    private var routeAcks: [String: UInt64] = [:]
    private var propagationWaiters: [(sequence: UInt64, promise: EventLoopPromise<Void>)] = []
    /// The session registry's state (ClusterRouter+Sessions.swift).
    var sessions = SessionCoordination()
    /// Wills held for other nodes' clients and deposited for this node's (ClusterRouter+Wills.swift).
    var wills = WillCustody()

    /// The longest a SUBACK waits for peers to learn a route; a slow peer must not stall subscribers.
    static let propagationTimeLimit = TimeAmount.seconds(1)

    /// Per shard: forwards waiting for the end of the shard's tick. Touched on that shard's loop.
    private let outboxes: [NIOLockedValueBox<Outbox>]

    struct Outbox {
        var messages: [(node: String, message: PeerFrame.ForwardedMessage)] = []
        var flushScheduled = false
    }

    public init(
        broker: Broker,
        identity: NodeIdentity,
        clusterName: String,
        secret: String,
        loop: any EventLoop,
        limits: Limits = Limits(),
        logger: Logger
    ) {
        self.broker = broker
        self.localName = identity.name
        self.localBootID = identity.bootID
        self.clusterName = clusterName
        self.secret = Array(secret.utf8)
        self.loop = loop
        self.limits = limits
        self.logger = logger
        self.outboxes = broker.shards.map { _ in NIOLockedValueBox(Outbox()) }
        self.retained = RetainedReplication(
            broker: broker,
            loop: loop,
            policy: limits.retainedTombstones,
            logger: logger
        )
    }

    // MARK: Membership

    /// Follows membership: links to alive members (the lower name dials), and forgets dead or left ones.
    public func membershipChanged(_ event: MembershipEvent) {
        loop.execute {
            let member = event.member
            guard member.name != self.localName else { return }
            switch event {
            case .memberAlive(let member):
                self.alivePeers[member.name] = member
                self.ensureLink(to: member.name)
            case .memberReplaced(_, let new):
                self.alivePeers[new.name] = new
            case .memberSuspect:
                break  // still a member; its link decides for itself
            case .memberDead(let member), .memberLeft(let member), .memberRemoved(let member):
                let wasAlive = self.alivePeers.removeValue(forKey: member.name) != nil
                self.forget(member.name)
                if wasAlive { self.sessionsMemberGone(member.name) }
                if case .memberDead = event {
                    self.willOwnerDied(member.name)
                } else {
                    self.wills.held.removeValue(forKey: member.name)
                }
                self.redepositWills()
            }
        }
    }

    private func ensureLink(to name: String) {
        guard localName < name, links[name] == nil, !dialing.contains(name), let member = alivePeers[name] else {
            return
        }
        dialing.insert(name)
        guard let address = PeerAddress.literal(member.address) else {
            dialing.remove(name)
            logger.warning(
                "peer address is not an IP address",
                metadata: ["peer": "\(name)", "address": "\(member.address)"]
            )
            return
        }
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try self.configure(channel, dialedPeer: name) }
            }
            .connect(to: address)
            .whenComplete { result in
                if case .failure(let error) = result {
                    self.logger.debug("peer link connect failed", metadata: ["peer": "\(name)", "error": "\(error)"])
                    self.dialFailed(name)
                }
            }
    }

    /// A dial that never became a link: connect failure, or a close before the handshake finished.
    func dialFailed(_ name: String) {
        loop.assertInEventLoop()
        dialing.remove(name)
        if alivePeers[name] != nil, links[name] == nil { retryLater(name) }
    }

    private func retryLater(_ name: String) {
        let delay = backoff[name] ?? .milliseconds(100)
        backoff[name] = min(delay * 2, .seconds(5))
        loop.scheduleTask(in: delay) { self.ensureLink(to: name) }
    }

    /// Sets up a peer link's pipeline: on a dialed connection, or an accepted one after its magic bytes.
    public func configure(_ channel: any Channel, dialedPeer: String? = nil) throws {
        var nonce = [UInt8](repeating: 0, count: PeerFrameCodec.nonceLength)
        var random = SystemRandomNumberGenerator()
        for index in nonce.indices { nonce[index] = UInt8.random(in: 0...255, using: &random) }
        let handshake = PeerHandshake(
            local: .init(clusterName: clusterName, nodeName: localName, bootID: localBootID, secret: secret),
            nonce: nonce
        )
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(IdleStateHandler(readTimeout: .seconds(15), writeTimeout: .seconds(3)))
        let byteCounter = ByteCounter()
        try sync.addHandler(byteCounter)
        try sync.addHandler(ByteToMessageHandler(PeerFrameDecoder()))
        try sync.addHandler(
            PeerLinkHandler(router: self, handshake: handshake, dialedPeer: dialedPeer, byteCounter: byteCounter)
        )
    }

    func linkEstablished(_ link: PeerLink) {
        loop.assertInEventLoop()
        dialing.remove(link.peerName)
        backoff.removeValue(forKey: link.peerName)
        if let old = links[link.peerName], old !== link {
            old.channel.close(promise: nil)
        }
        links[link.peerName] = link
        logger.info(
            "peer link up",
            metadata: [
                "peer": "\(link.peerName)", "boot": "\(String(link.peerBootID, radix: 16))",
                "version": "\(link.version)",
            ]
        )
        // A new boot of the receiver means what it had delivered from us is gone with it.
        if delivered[link.peerName]?.bootID != link.peerBootID {
            delivered[link.peerName] = (link.peerBootID, 0)
        }
        link.write(.routeSnapshot(makeSnapshot()))
        sessionsLinkEstablished(link)
        redepositWills()
        let pending = Self.prepareReplay(&replay[link.peerName, default: newReplayBuffer()], for: link.peerBootID)
        if !pending.isEmpty {
            counters.replayed &+= UInt64(pending.count)
            for chunk in Self.chunks(pending) { link.write(.forward(PeerFrame.ForwardBatch(messages: chunk))) }
        }
        retained.sendSnapshot(on: link)
        link.flush()
    }

    func linkClosed(_ link: PeerLink) {
        loop.assertInEventLoop()
        guard links[link.peerName] === link else { return }
        links.removeValue(forKey: link.peerName)
        routeAcks.removeValue(forKey: link.peerName)
        releasePropagationWaiters()
        logger.info("peer link down", metadata: ["peer": "\(link.peerName)"])
        // Routes stay until membership says the node is gone: a brief drop must not lose subscribers.
        if alivePeers[link.peerName] != nil { retryLater(link.peerName) }
    }

    private func forget(_ name: String) {
        links.removeValue(forKey: name)?.channel.close(promise: nil)
        routeAcks.removeValue(forKey: name)
        releasePropagationWaiters()
        if let state = peerRoutes.removeValue(forKey: name) {
            for route in state.routes { apply(route, added: false, node: name) }
        }
        broker.removeRoutes(ofNode: name)
        if var buffer = replay.removeValue(forKey: name) {
            buffer.discardAll()
            counters.dropped &+= buffer.dropped
        }
        delivered.removeValue(forKey: name)
        backoff.removeValue(forKey: name)
    }

    // MARK: Local routes out

    public func localRouteChanged(_ route: LocalRoute, added: Bool) {
        let wire = Self.wire(route)
        loop.execute {
            self.localSequence &+= 1
            let delta = PeerFrame.RouteDelta(
                bootID: self.localBootID,
                sequence: self.localSequence,
                change: added ? .add : .remove,
                route: wire
            )
            for link in self.links.values {
                link.write(.routeDelta(delta))
                link.flush()
            }
        }
    }

    public func routesPropagated(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        loop.execute {
            let target = self.localSequence
            guard self.links.keys.contains(where: { (self.routeAcks[$0] ?? 0) < target }) else {
                promise.succeed()
                return
            }
            self.propagationWaiters.append((target, promise))
            self.loop.scheduleTask(in: Self.propagationTimeLimit) {
                // Answer anyway; the peers will catch up.
                if self.propagationWaiters.contains(where: { $0.promise.futureResult === promise.futureResult }) {
                    self.counters.slowRoutePropagations &+= 1
                    self.propagationWaiters.removeAll { $0.promise.futureResult === promise.futureResult }
                    promise.succeed()
                }
            }
        }
        return promise.futureResult
    }

    private func releasePropagationWaiters() {
        guard !propagationWaiters.isEmpty else { return }
        let lowest = links.keys.map { routeAcks[$0] ?? 0 }.min() ?? .max
        propagationWaiters.removeAll { waiter in
            guard waiter.sequence <= lowest else { return false }
            waiter.promise.succeed()
            return true
        }
    }

    private func makeSnapshot() -> PeerFrame.RouteSnapshot {
        PeerFrame.RouteSnapshot(
            bootID: localBootID,
            sequence: localSequence,
            routes: broker.currentRoutes().map(Self.wire)
        )
    }

    static func wire(_ route: LocalRoute) -> PeerFrame.Route {
        switch route {
        case .filter(let filter): .filter(filter.string)
        case .sharedMember(let group, let filter, let clientID):
            .sharedMember(group: group, filter: filter.string, clientID: clientID)
        case .exclusive(let filter, let clientID, let grantedAt):
            .exclusive(topic: filter.string, clientID: clientID, grantedAt: grantedAt)
        }
    }

    /// Writes one frame to `node`'s link, if it is up. On `loop`.
    func send(_ frame: PeerFrame, to node: String) {
        guard let link = links[node] else { return }
        link.write(frame)
        link.flush()
    }

    /// Writes one frame to every link. On `loop`.
    func broadcast(_ frame: PeerFrame) {
        for link in links.values {
            link.write(frame)
            link.flush()
        }
    }

    // MARK: Frames in

    func received(_ frame: PeerFrame, on link: PeerLink) {
        switch frame {
        case .routeSnapshot(let snapshot):
            applySnapshot(snapshot, from: link.peerName)
        case .routeDelta(let delta):
            applyDelta(delta, on: link)
        case .snapshotRequest:
            link.write(.routeSnapshot(makeSnapshot()))
            link.flush()
        case .routeAck(let sequence):
            routeAcks[link.peerName] = max(routeAcks[link.peerName] ?? 0, sequence)
            releasePropagationWaiters()
        case .forward(let batch):
            receiveForwards(batch.messages, on: link)
        case .forwardAck(let upTo):
            replay[link.peerName]?.acknowledge(upTo: upTo)
        case .ping:
            link.write(.pong)
            link.flush()
        case .retainedUpdates(let updates):
            retained.received(updates.entries, from: link.peerName, isLastOfSnapshot: nil)
        case .retainedSnapshot(let snapshot):
            retained.received(snapshot.entries, from: link.peerName, isLastOfSnapshot: snapshot.isLast)
        case .pong, .unknown:
            break
        case .sessionClaim, .sessionClaimReply, .sessionFetch, .sessionHandoff, .sessionRelease, .sessionRegister,
            .sessionEnded, .sessionEvict, .sessionLookup, .sessionLookupReply, .sessionDescribe, .sessionDescription,
            .nodeDraining, .mqttListener:
            receivedSessionFrame(frame, on: link)
        case .willDeposit, .willWithdraw:
            receivedWillFrame(frame, from: link.peerName)
        case .hello, .authenticate:
            logger.warning("peer sent a handshake frame on an established link", metadata: ["peer": "\(link.peerName)"])
            link.channel.close(promise: nil)
        }
    }

    private func applySnapshot(_ snapshot: PeerFrame.RouteSnapshot, from node: String) {
        let old = peerRoutes[node]?.routes ?? []
        let new = Set(snapshot.routes)
        for route in old.subtracting(new) { apply(route, added: false, node: node) }
        for route in new.subtracting(old) { apply(route, added: true, node: node) }
        peerRoutes[node] = PeerRouteState(bootID: snapshot.bootID, sequence: snapshot.sequence, routes: new)
        if let link = links[node] {
            link.write(.routeAck(sequence: snapshot.sequence))
            link.flush()
        }
    }

    private func applyDelta(_ delta: PeerFrame.RouteDelta, on link: PeerLink) {
        guard var state = peerRoutes[link.peerName], state.bootID == delta.bootID,
            delta.sequence == state.sequence &+ 1
        else {
            // A gap, or a boot this node has no snapshot of: ask for the whole table.
            counters.snapshotRequests &+= 1
            link.write(.snapshotRequest)
            link.flush()
            return
        }
        state.sequence = delta.sequence
        let changed =
            delta.change == .add ? state.routes.insert(delta.route).inserted : state.routes.remove(delta.route) != nil
        peerRoutes[link.peerName] = state
        if changed { apply(delta.route, added: delta.change == .add, node: link.peerName) }
        link.write(.routeAck(sequence: delta.sequence))
        link.flush()
    }

    private func apply(_ route: PeerFrame.Route, added: Bool, node: String) {
        switch route {
        case .filter(let text):
            guard let filter = try? TopicFilter(validating: text) else { return }
            if added { remoteRoutes.add(filter, node: node) } else { remoteRoutes.remove(filter, node: node) }
        case .sharedMember(let group, let text, let clientID):
            guard let filter = try? TopicFilter(validating: text) else { return }
            broker.remoteSharedMember(node: node, group: group, filter: filter, clientID: clientID, added: added)
        case .exclusive(let text, let clientID, let grantedAt):
            guard let filter = try? TopicFilter(validating: text) else { return }
            broker.remoteExclusive(node: node, filter: filter, clientID: clientID, grantedAt: grantedAt, added: added)
        }
    }

    private func receiveForwards(_ forwards: [PeerFrame.ForwardedMessage], on link: PeerLink) {
        var state = delivered[link.peerName] ?? (link.peerBootID, 0)
        var plain: [Message] = []
        var acknowledge = false
        let now = NIODeadline.now()
        for forward in forwards {
            if forward.id != 0 {
                acknowledge = true
                // A replay after a reconnect may repeat what was delivered before the drop.
                guard forward.id > state.lastID else {
                    counters.duplicatesSkipped &+= 1
                    continue
                }
                state.lastID = forward.id
            }
            link.counters.forwardsIn &+= 1
            if case .session = forward.target {
                deliverToSession(forward)
                continue
            }
            guard let message = Self.message(from: forward.publish, origin: forward.origin, now: now) else { continue }
            switch forward.target {
            case .subscribers:
                plain.append(message)
            case .sharedMember(let group, let filterText, let clientID):
                guard let filter = try? TopicFilter(validating: filterText) else { continue }
                broker.deliverForwardedShared(
                    message,
                    group: group,
                    filter: filter,
                    clientID: clientID,
                    hops: forward.hops
                )
            case .session:
                break  // handled above
            }
        }
        delivered[link.peerName] = state
        broker.deliverForwarded(plain)
        if acknowledge {
            link.write(.forwardAck(upTo: state.lastID))
            link.flush()
        }
    }

    // MARK: Retained messages out

    public func retainedChanged(_ update: RetainedUpdate) {
        loop.execute {
            guard self.retained.enqueue(update) else { return }
            // Writes that reach the loop before this task runs go out in the same frames.
            self.loop.execute { self.retained.flush(to: self.links.values) }
        }
    }

    // MARK: Forwards out

    public func forward(_ message: Message, fromShard shardIndex: Int) {
        let nodes = remoteRoutes.nodes(matching: message.topic)
        guard !nodes.isEmpty, let publish = Self.publish(from: message) else { return }
        let forwarded = PeerFrame.ForwardedMessage(
            id: 0,
            origin: Self.origin(of: message),
            target: .subscribers,
            publish: publish
        )
        enqueue(nodes.map { ($0, forwarded) }, fromShard: shardIndex)
    }

    public func forwardShared(
        _ message: Message,
        toNode node: String,
        group: String,
        filter: TopicFilter,
        clientID: String,
        hops: UInt8,
        fromShard shardIndex: Int
    ) {
        guard let publish = Self.publish(from: message) else { return }
        let forwarded = PeerFrame.ForwardedMessage(
            id: 0,
            origin: Self.origin(of: message),
            target: .sharedMember(group: group, filter: filter.string, clientID: clientID),
            publish: publish,
            hops: hops
        )
        enqueue([(node, forwarded)], fromShard: shardIndex)
    }

    /// Collects forwards for the end of the shard's tick, so a burst becomes one hop and one frame per node.
    func enqueue(_ items: [(node: String, message: PeerFrame.ForwardedMessage)], fromShard shardIndex: Int) {
        let box = outboxes[shardIndex]
        let scheduleFlush = box.withLockedValue { outbox in
            outbox.messages.append(contentsOf: items)
            defer { outbox.flushScheduled = true }
            return !outbox.flushScheduled
        }
        guard scheduleFlush else { return }
        broker.shards[shardIndex].eventLoop.execute {
            let batch = box.withLockedValue { outbox in
                outbox.flushScheduled = false
                defer { outbox.messages.removeAll(keepingCapacity: true) }
                return outbox.messages
            }
            self.loop.execute { self.send(batch) }
        }
    }

    private func send(_ batch: [(node: String, message: PeerFrame.ForwardedMessage)]) {
        var byNode: [String: [PeerFrame.ForwardedMessage]] = [:]
        let now = NIODeadline.now()
        for (node, message) in batch {
            var message = message
            guard message.publish.payload.readableBytes < PeerFrameCodec.maximumFrameLength - 65_536 else {
                counters.droppedTooLarge &+= 1  // the frame cap is far above any sane message
                continue
            }
            if message.publish.qos != .atMostOnce {
                // Mutated in place: a copy out of the dictionary would copy every pending entry per message.
                replay[node, default: newReplayBuffer()].record(&message, now: now)
            }
            byNode[node, default: []].append(message)
        }
        for (node, messages) in byNode {
            guard let link = links[node] else {
                // Buffered QoS 1/2 forwards go out when the link is back; QoS 0 has no such promise.
                let lost = messages.filter { $0.id == 0 }.count
                counters.droppedNoLink &+= UInt64(lost)
                continue
            }
            link.counters.forwardsOut &+= UInt64(messages.count)
            for chunk in Self.chunks(messages) { link.write(.forward(PeerFrame.ForwardBatch(messages: chunk))) }
            link.flush()
        }
    }

    private func newReplayBuffer() -> ForwardReplayBuffer {
        ForwardReplayBuffer(capacity: limits.replayCapacity, maximumAge: limits.replayMaximumAge)
    }

    /// What to send again to a peer's boot on a new link; a new boot gets nothing (what it had is gone).
    private static func prepareReplay(
        _ buffer: inout ForwardReplayBuffer,
        for bootID: UInt64
    ) -> [PeerFrame.ForwardedMessage] {
        if buffer.peerBootID != bootID {
            if buffer.peerBootID != nil { buffer.discardAll() }
            buffer.peerBootID = bootID
        }
        return buffer.replay(now: .now())
    }

    /// FORWARD frames stay well under the frame cap: at most 1,024 messages or about 1 MiB of payload each.
    static func chunks(_ messages: [PeerFrame.ForwardedMessage]) -> [[PeerFrame.ForwardedMessage]] {
        var chunks: [[PeerFrame.ForwardedMessage]] = []
        var current: [PeerFrame.ForwardedMessage] = []
        var bytes = 0
        for message in messages {
            let size = message.publish.payload.readableBytes + message.publish.topic.utf8.count + 64
            if !current.isEmpty, current.count == 1024 || bytes + size > 1 << 20 {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(message)
            bytes += size
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    // MARK: Conversions

    static func origin(of message: Message) -> PeerFrame.Origin {
        PeerFrame.Origin(bootID: message.origin.bootID, sequence: message.origin.sequence)
    }

    static func publish(from message: Message) -> MQTTPacket.Publish? {
        let now = NIODeadline.now()
        if message.isExpired(at: now) { return nil }
        var properties = message.properties
        properties.messageExpiryInterval = message.remainingExpiry(at: now)
        return MQTTPacket.Publish(
            topic: message.topic.string,
            payload: message.payload,
            qos: message.qos,
            retain: message.retain,
            packetID: message.qos == .atMostOnce ? nil : 1,
            properties: properties
        )
    }

    static func message(
        from publish: MQTTPacket.Publish,
        origin: PeerFrame.Origin = .none,
        now: NIODeadline
    ) -> Message? {
        guard let topic = try? TopicName(validating: publish.topic) else { return nil }
        var properties = publish.properties
        let expiry = properties.messageExpiryInterval
        properties.messageExpiryInterval = nil
        return Message(
            topic: topic,
            payload: publish.payload,
            qos: publish.qos,
            retain: publish.retain,
            properties: properties,
            expiresAt: expiry.map { now + .seconds(Int64($0)) },
            origin: MessageOrigin(bootID: origin.bootID, sequence: origin.sequence)
        )
    }

    // MARK: Visibility

    /// Filter → nodes of the routes other nodes hold.
    public func routeTable() -> [(filter: String, nodes: [String])] {
        remoteRoutes.table()
    }

    public struct LinkView: Sendable {
        public var peer: String
        public var bootID: UInt64
        public var counters: PeerLinkCounters
        public var buffered: Int
        public var dropped: UInt64
    }

    public func linkViews() async -> (links: [LinkView], counters: ClusterCounters) {
        (try? await loop.submit {
            let views = self.links.values.map { link in
                var counters = link.counters
                counters.bytesIn = link.byteCounter.bytes
                return LinkView(
                    peer: link.peerName,
                    bootID: link.peerBootID,
                    counters: counters,
                    buffered: self.replay[link.peerName]?.count ?? 0,
                    dropped: self.replay[link.peerName]?.dropped ?? 0
                )
            }.sorted { $0.peer < $1.peer }
            return (views, self.counters)
        }.get()) ?? ([], ClusterCounters())
    }

    /// Whether a link to `peer` is up; for tests and readiness.
    public func hasLink(to peer: String) async -> Bool {
        (try? await loop.submit { self.links[peer] != nil && self.peerRoutes[peer] != nil }.get()) ?? false
    }

    public func close() async {
        _ = try? await loop.submit {
            self.retained.stop()
            for link in self.links.values { link.channel.close(promise: nil) }
            self.links.removeAll()
            self.alivePeers.removeAll()
        }.get()
    }
}

/// Node-wide cluster counters.
public struct ClusterCounters: Sendable, Equatable {
    public var replayed: UInt64 = 0
    public var dropped: UInt64 = 0
    public var droppedNoLink: UInt64 = 0
    public var duplicatesSkipped: UInt64 = 0
    public var snapshotRequests: UInt64 = 0
    /// SUBACKs sent before every peer had acknowledged the new routes (the time limit passed).
    public var slowRoutePropagations: UInt64 = 0
    /// Messages too large to fit a peer frame.
    public var droppedTooLarge: UInt64 = 0

    public init() {}
}
