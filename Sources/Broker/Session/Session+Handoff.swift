import Logging
import MQTTCodec
import NIOCore
import Topics

/// Moving a session between nodes (cluster/PROTOCOL.md, "Sessions").
///
/// The node a session leaves keeps it for a while as a stub: its subscriptions stay routed, and whatever
/// still reaches it is passed on to the new holder, until the new holder's routes are known everywhere.
/// For that window the new holder drops the second copy of a message it receives both ways.
extension Session {
    /// How long a new holder checks for duplicates, and a stub lives at most.
    static let handoffWindow = TimeAmount.seconds(60)

    /// Another node takes this session over (a CONNECT there). Closes the connection with 0x8E
    /// [MQTT-3.1.4-3] and returns what moves, or nil when Clean Start ends the session instead.
    func handOff(to node: String, cleanStart: Bool) -> SessionSnapshot? {
        shard.eventLoop.assertInEventLoop()
        guard !hasEnded, movedTo == nil else { return nil }
        // The will follows the same rules as a takeover on this node.
        guard let resumed = takeOver(cleanStart: cleanStart) else { return nil }
        return resumed.becomeStub(forwardingTo: node, includeWill: false)
    }

    /// Pushes this session to another node (drain): a connected client is told to use another server
    /// (5.0: DISCONNECT 0x9C with a Server Reference; 3.x: the connection closes).
    func pushAway(to node: String, serverReference: String?) -> SessionSnapshot? {
        shard.eventLoop.assertInEventLoop()
        guard !hasEnded, movedTo == nil else { return nil }
        if let old = connection {
            connection = nil
            setSharedMembership(online: false)
            old.close(reason: .useAnotherServer, serverReference: serverReference)
            // The server closed the connection, so the will stands [MQTT-3.1.2-8]; a delayed one moves with
            // the session and a reconnect within the delay cancels it there.
            if let will, will.delayInterval == 0 || negotiated.sessionExpiryInterval == 0 {
                self.will = nil
                publishWill(will)
            } else if let will {
                willDelayEndsAt = .now() + .seconds(Int64(will.delayInterval))
            }
        }
        if negotiated.sessionExpiryInterval == 0 {
            end()
            return nil
        }
        return becomeStub(forwardingTo: node, includeWill: true)
    }

    private func becomeStub(forwardingTo node: String, includeWill: Bool) -> SessionSnapshot {
        cancelTimers()
        var pendingWill: SessionSnapshot.PendingWill?
        if includeWill, let will {
            let remaining = willDelayEndsAt.map { max(0, ($0 - .now()).nanoseconds / 1_000_000_000) } ?? 0
            pendingWill = SessionSnapshot.PendingWill(will: will, delay: UInt32(clamping: remaining))
        }
        will = nil
        let snapshot = SessionSnapshot(
            clientID: clientID,
            subscriptions: subscriptions.map { .init(filter: $0.key, entry: $0.value.entry) },
            awaitingRelease: Array(inboundQoS2),
            outbound: outbound.snapshot(),
            expiryInterval: negotiated.sessionExpiryInterval,
            will: pendingWill
        )
        _ = outbound.removeAll()
        inboundQoS2.removeAll()
        updateCongestion()
        movedTo = node
        broker.exclusiveHolderMoving(id)
        broker.unregister(clientID: clientID, sessionID: id)
        broker.trackStub(self)
        stubTimer = shard.eventLoop.scheduleTask(in: Self.handoffWindow) { [self] in removeStub() }
        return snapshot
    }

    /// The new holder's routes are known everywhere: the stub's subscriptions go. Nothing is published or
    /// counted lost, since everything moved.
    func removeStub() {
        shard.eventLoop.assertInEventLoop()
        guard movedTo != nil, !hasEnded else { return }
        hasEnded = true
        stubTimer?.cancel()
        stubTimer = nil
        for (_, subscription) in subscriptions { removeFromRouting(subscription.target) }
        subscriptions.removeAll()
        shard.sessions.removeValue(forKey: id)
    }

    /// Fills a new session with a moved one's state, before its connection is attached.
    func restore(_ snapshot: SessionSnapshot) {
        shard.eventLoop.assertInEventLoop()
        restoreSubscriptions(snapshot.subscriptions)
        inboundQoS2 = Set(snapshot.awaitingRelease)
        let dropped = outbound.restore(snapshot.outbound)
        if dropped > 0 { shard.statistics.dropped[DropReason.queueFull.rawValue] &+= UInt64(dropped) }
        startDuplicateCheck(seededWith: snapshot.origins)
        updateCongestion()
    }

    /// Adds a moved session's state to this one, which already existed here (two nodes held sessions of
    /// one client identifier). Its messages are offered again, after what this session holds.
    func merge(_ snapshot: SessionSnapshot) {
        shard.eventLoop.assertInEventLoop()
        restoreSubscriptions(snapshot.subscriptions.filter { subscriptions[$0.filter] == nil })
        inboundQoS2.formUnion(snapshot.awaitingRelease)
        startDuplicateCheck(seededWith: [])
        for delivery in snapshot.outbound.inflight.map(\.delivery) + snapshot.outbound.queued {
            deliver(
                delivery.message,
                qos: delivery.qos,
                retain: delivery.retain,
                subscriptionIdentifiers: delivery.subscriptionIdentifiers
            )
        }
    }

    /// A session pushed here while offline: its expiry and any delayed will start again here.
    func resumeOffline(expiryInterval: UInt32, will pending: SessionSnapshot.PendingWill?) {
        negotiated.sessionExpiryInterval = expiryInterval
        will = pending?.will
        if let pending, let will {
            if pending.delay == 0 {
                self.will = nil
                publishWill(will)
            } else {
                scheduleWill(after: pending.delay)
            }
        }
        startExpiry()
    }

    private func restoreSubscriptions(_ restored: [SessionSnapshot.Subscription]) {
        for subscription in restored {
            let packet = MQTTPacket.Subscription(topicFilter: subscription.filter, options: subscription.entry.options)
            if case .granted = add(
                packet,
                subscriptionIdentifier: subscription.entry.subscriptionIdentifier,
                isV5: true
            ) {
                continue
            }
            broker.logger.warning(
                "a moved subscription was refused here",
                metadata: ["client": "\(clientID)", "filter": "\(subscription.filter)"]
            )
        }
    }

    private func startDuplicateCheck(seededWith origins: [MessageOrigin]) {
        let state = occasionalState()
        let until = NIODeadline.now() + Self.handoffWindow
        if state.duplicateCheck == nil { state.duplicateCheck = OriginWindow(until: until) }
        state.duplicateCheck!.until = until
        for origin in origins { _ = state.duplicateCheck!.insert(origin) }
    }

    /// Whether `message` reached this session before (through the node it moved from). Only during the
    /// window after a move; outside it the check costs one comparison.
    func isDuplicate(_ message: Message) -> Bool {
        guard let state = occasional, state.duplicateCheck != nil, message.origin != .none else { return false }
        if NIODeadline.now() > state.duplicateCheck!.until {
            state.duplicateCheck = nil
            releaseOccasionalIfEmpty()
            return false
        }
        return !state.duplicateCheck!.insert(message.origin)
    }

    static func versionLabel(_ version: ProtocolVersion) -> String {
        switch version {
        case .v3_1: "3.1"
        case .v3_1_1: "3.1.1"
        case .v5: "5.0"
        }
    }

    /// What `GET /api/v1/clients/{clientid}` shows of this session.
    func view(node: String) -> ClientSessionView {
        ClientSessionView(
            clientID: clientID,
            node: node,
            connected: connection != nil,
            protocolVersion: Self.versionLabel(negotiated.protocolVersion),
            subscriptions: subscriptions.keys.sorted(),
            inflight: outbound.inflightCount,
            queued: outbound.queuedCount,
            sessionExpiryInterval: negotiated.sessionExpiryInterval,
            hasWill: will != nil
        )
    }
}

/// The origins of messages a session received lately, bounded: the oldest are forgotten first.
struct OriginWindow {
    static let capacity = 65_536
    var until: NIODeadline
    private var seen: Set<MessageOrigin> = []
    private var order = CircularBuffer<MessageOrigin>()

    init(until: NIODeadline) {
        self.until = until
    }

    /// Records `origin`; false when it was already there.
    mutating func insert(_ origin: MessageOrigin) -> Bool {
        guard seen.insert(origin).inserted else { return false }
        order.append(origin)
        if order.count > Self.capacity, let oldest = order.popFirst() { seen.remove(oldest) }
        return true
    }
}
