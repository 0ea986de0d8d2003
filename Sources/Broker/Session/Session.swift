import Logging
import MQTTCodec
import NIOCore
import Synchronization
import Topics

/// One client's session: its subscriptions, QoS 1/2 state and queued messages, which
/// outlive any one network connection when the session expiry interval allows.
///
/// A session lives on its shard's event loop and is touched only there; packets from
/// its connection are handed to that loop in order.
///
/// `@unchecked Sendable`: references travel between loops (futures, hand-offs), but every
/// read and write of its state happens on `shard.eventLoop`.
public final class Session: @unchecked Sendable {
    public let id: SessionID
    public let clientID: String
    unowned let shard: Shard
    var broker: Broker { shard.broker }
    var settings: BrokerSettings { shard.broker.settings }

    var connection: (any SessionConnection)? {
        didSet {
            apply(congestion.disconnected())
            updateCongestion()
        }
    }
    /// Whether this session is falling behind its publishers (see ``CongestionState``).
    var congestion = CongestionState()
    var negotiated: NegotiatedConnect
    var outbound: OutboundFlow
    /// QoS 2 packet identifiers received and not yet released: a PUBLISH repeating one of
    /// them is not routed again [MQTT-4.3.3-10].
    var inboundQoS2: Set<UInt16> = []
    /// Keyed by the filter as the client wrote it, `$share/…` prefix included.
    var subscriptions: [String: SessionSubscription] = [:]
    /// Topic aliases the client set on this connection [MQTT-3.3.2-10].
    var inboundTopicAliases: [UInt16: TopicName] = [:]
    var will: WillMessage? {
        didSet {
            if oldValue != nil || will != nil { broker.cluster?.willChanged(clientID: clientID, will: will) }
        }
    }
    var hasEnded = false
    /// What most sessions never need, made on first use and dropped once empty again: a connected,
    /// quiet session stays small.
    private(set) var occasional: OccasionalState?

    private var willTimer: Scheduled<Void>? {
        get { occasional?.willTimer }
        set { updateOccasional(setting: newValue != nil) { $0.willTimer = newValue } }
    }
    /// When a delayed will is due, while its timer runs.
    var willDelayEndsAt: NIODeadline? {
        get { occasional?.willDelayEndsAt }
        set { updateOccasional(setting: newValue != nil) { $0.willDelayEndsAt = newValue } }
    }
    private var expiryTimer: Scheduled<Void>? {
        get { occasional?.expiryTimer }
        set { updateOccasional(setting: newValue != nil) { $0.expiryTimer = newValue } }
    }
    /// Set once the session moved to this node: what still reaches it here is passed on (a stub).
    var movedTo: String? {
        get { occasional?.movedTo }
        set { updateOccasional(setting: newValue != nil) { $0.movedTo = newValue } }
    }
    var stubTimer: Scheduled<Void>? {
        get { occasional?.stubTimer }
        set { updateOccasional(setting: newValue != nil) { $0.stubTimer = newValue } }
    }

    /// The occasional state, made if there is none yet.
    func occasionalState() -> OccasionalState {
        if let occasional { return occasional }
        let state = OccasionalState()
        occasional = state
        return state
    }

    /// Lets the occasional state go once nothing is left in it.
    func releaseOccasionalIfEmpty() {
        if occasional?.isEmpty == true { occasional = nil }
    }

    /// Changes a field of the occasional state; clearing a field of a session that has none makes none.
    private func updateOccasional(setting: Bool, _ change: (OccasionalState) -> Void) {
        guard setting || occasional != nil else { return }
        change(occasionalState())
        releaseOccasionalIfEmpty()
    }

    init(id: SessionID, negotiated: NegotiatedConnect, shard: Shard) {
        self.id = id
        self.clientID = negotiated.clientID
        self.shard = shard
        self.negotiated = negotiated
        self.outbound = OutboundFlow(
            window: Int(min(negotiated.clientReceiveMaximum, shard.broker.settings.maximumInflight)),
            queueCapacity: shard.broker.settings.maximumQueuedMessages,
            queueFullPolicy: shard.broker.settings.queueFullPolicy
        )
    }

    public var isConnected: Bool { connection != nil }

    // MARK: Connection lifecycle

    /// Binds a connection to the session, answers its CONNECT and resumes delivery:
    /// unacknowledged messages first, with DUP set [MQTT-4.4.0-1], then the queue.
    func attach(_ connection: any SessionConnection, negotiated: NegotiatedConnect, sessionPresent: Bool) {
        shard.eventLoop.assertInEventLoop()
        cancelTimers()
        self.connection = connection
        self.negotiated = negotiated
        self.will = negotiated.will
        inboundTopicAliases.removeAll()
        outbound.window = Int(min(negotiated.clientReceiveMaximum, settings.maximumInflight))
        setSharedMembership(online: true)

        connection.send(
            .connAck(
                MQTTPacket.ConnAck(
                    sessionPresent: sessionPresent,
                    reasonCode: .success,
                    properties: negotiated.connAckProperties(settings: settings)
                )
            )
        )
        for resend in outbound.resends() {
            switch resend {
            case .publish(let packetID, let delivery):
                send(delivery, packetID: packetID, dup: true)
            case .pubRel(let packetID):
                connection.send(.pubRel(MQTTPacket.PubRel(packetID: packetID)))
            }
        }
        drainQueue()
    }

    /// A new CONNECT for this client identifier arrived. Closes the current connection with
    /// 0x8E [MQTT-3.1.4-3] and returns the session to resume, or nil when Clean Start ends it.
    func takeOver(cleanStart: Bool) -> Session? {
        shard.eventLoop.assertInEventLoop()
        guard !hasEnded else { return nil }
        if let old = connection {
            connection = nil
            setSharedMembership(online: false)
            old.close(reason: .sessionTakenOver, serverReference: nil)
            // 5.0 §3.1.3.2.2: the old will is sent unless the session continues and the will has a delay.
            if let will, cleanStart || will.delayInterval == 0 {
                publishWill(will)
            }
            will = nil
        } else if let will {
            willTimer?.cancel()
            willTimer = nil
            willDelayEndsAt = nil
            self.will = nil
            // A reconnect within the will delay cancels the will [MQTT-3.1.3-9], unless it ends the session.
            if cleanStart { publishWill(will) }
        }
        if cleanStart {
            end()
            return nil
        }
        return self
    }

    /// The connection closed (for any reason). Starts the will delay and the session expiry.
    func connectionClosed(_ closed: any SessionConnection) {
        guard connection === closed else { return }
        connection = nil
        setSharedMembership(online: false)
        let expiry = negotiated.sessionExpiryInterval
        if let will {
            if will.delayInterval == 0 || expiry == 0 {
                self.will = nil
                publishWill(will)
            } else if will.delayInterval < expiry {
                scheduleWill(after: will.delayInterval)
            }
            // Otherwise the will waits for the end of the session.
        }
        startExpiry()
    }

    /// Publishes the will after `delay` seconds unless a reconnect cancels it first [MQTT-3.1.3-9].
    func scheduleWill(after delay: UInt32) {
        willDelayEndsAt = .now() + .seconds(Int64(delay))
        willTimer = shard.eventLoop.scheduleTask(in: .seconds(Int64(delay))) { [self] in
            willTimer = nil
            willDelayEndsAt = nil
            if let pending = self.will {
                self.will = nil
                publishWill(pending)
            }
        }
    }

    /// Ends the session once it has been without a connection for its expiry interval.
    func startExpiry() {
        let expiry = negotiated.sessionExpiryInterval
        if expiry == 0 {
            end()
        } else if expiry != UInt32.max {
            expiryTimer = shard.eventLoop.scheduleTask(in: .seconds(Int64(expiry))) { [self] in
                expiryTimer = nil
                if connection == nil { end() }
            }
        }
    }

    func cancelTimers() {
        willTimer?.cancel()
        willTimer = nil
        willDelayEndsAt = nil
        expiryTimer?.cancel()
        expiryTimer = nil
    }

    /// Ends the session: its subscriptions and queued messages are gone; a pending will is
    /// published now [MQTT-3.1.3-9 … whichever happens first].
    func end() {
        guard !hasEnded else { return }
        hasEnded = true
        willTimer?.cancel()
        expiryTimer?.cancel()
        if let will {
            self.will = nil
            publishWill(will)
        }
        for (_, subscription) in subscriptions { removeFromRouting(subscription.target) }
        subscriptions.removeAll()
        let lost = outbound.removeAll()
        if lost > 0 { shard.statistics.dropped[DropReason.sessionEnded.rawValue] &+= UInt64(lost) }
        shard.sessions.removeValue(forKey: id)
        broker.unregister(clientID: clientID, sessionID: id)
        broker.cluster?.sessionEnded(clientID: clientID)
    }

    func closeConnection(_ reason: ReasonCode, _ message: String) {
        broker.logger.debug(
            "closing connection",
            metadata: ["client": "\(clientID)", "reason": "\(reason)", "detail": "\(message)"]
        )
        connection?.close(reason: reason, serverReference: nil)
    }

    // MARK: Outbound delivery

    /// Offers a message matched by one of this session's subscriptions.
    func deliver(_ message: Message, qos: QoS, retain: Bool, subscriptionIdentifiers: [UInt32]) {
        if let movedTo {
            broker.cluster?.forwardToSession(
                message,
                node: movedTo,
                clientID: clientID,
                qos: qos,
                retain: retain,
                subscriptionIdentifiers: subscriptionIdentifiers,
                fromShard: shard.index
            )
            return
        }
        if message.isExpired(at: .now()) {
            shard.countDrop(.expired)
            return
        }
        if isDuplicate(message) {
            shard.statistics.duplicatesSkipped &+= 1
            return
        }
        let delivery = OutboundFlow.Delivery(
            message: message,
            qos: qos,
            retain: retain,
            subscriptionIdentifiers: subscriptionIdentifiers
        )
        if qos == .atMostOnce, let connection, !connection.isWritable {
            // QoS 0 is never queued: dropped and counted, and publishers are slowed until the
            // subscriber has read what it was sent, so that the next messages need not be dropped.
            shard.countDrop(.notWritable)
            apply(congestion.sendBufferFilled())
            return
        }
        switch outbound.submit(delivery, online: connection != nil) {
        case .send(let packetID, let delivery):
            send(delivery, packetID: packetID, dup: false)
        case .queued:
            updateCongestion()
        case .dropped(let reason):
            shard.countDrop(reason)
        }
    }

    /// Moves queued messages into the window as acknowledgements free it.
    func drainQueue() {
        guard connection != nil else { return }
        let now = NIODeadline.now()
        var sent = false
        while let (packetID, delivery) = outbound.nextQueued(now: now, dropped: { shard.countDrop($0) }) {
            send(delivery, packetID: packetID, dup: false)
            sent = true
        }
        if sent { apply(congestion.queueDrained()) }
        updateCongestion()
    }

    private func send(_ delivery: OutboundFlow.Delivery, packetID: UInt16?, dup: Bool) {
        guard let connection else { return }
        let message = delivery.message
        var properties = MQTTProperties()
        if connection.protocolVersion == .v5 {
            properties = message.properties
            if let remaining = message.remainingExpiry(at: .now()) {
                properties.messageExpiryInterval = remaining
            }
            for id in delivery.subscriptionIdentifiers { properties.append(.subscriptionIdentifier(id)) }
        }
        let publish = MQTTPacket.Publish(
            topic: message.topic.string,
            payload: message.payload,
            qos: delivery.qos,
            retain: delivery.retain,
            dup: dup,
            packetID: packetID,
            properties: properties
        )
        let packet = MQTTPacket.publish(publish)
        // [MQTT-3.1.2-24] Never send a packet larger than the client's Maximum Packet Size: drop it for
        // this subscriber only.
        if connection.maximumPacketSize < Int(UInt32.max),
            packet.encodedSize(version: connection.protocolVersion) > connection.maximumPacketSize
        {
            shard.countDrop(.packetTooLarge)
            if let packetID { outbound.abandon(packetID: packetID) }
            return
        }
        shard.statistics.messagesSent &+= 1
        connection.send(packet)
    }

    // MARK: Will

    func publishWill(_ will: WillMessage) {
        broker.publishWill(will, clientID: clientID, on: shard)
    }
}

/// The timers of a session that is offline or has a delayed will, and the traces of a move
/// between nodes. Out of line because a connected session rarely has any of them.
final class OccasionalState {
    var willTimer: Scheduled<Void>?
    var willDelayEndsAt: NIODeadline?
    var expiryTimer: Scheduled<Void>?
    var movedTo: String?
    var stubTimer: Scheduled<Void>?
    /// Origins of messages received since the session moved here, to drop second copies. Mutated
    /// in place here, never through a copy: it holds up to 65,536 origins.
    var duplicateCheck: OriginWindow?

    var isEmpty: Bool {
        willTimer == nil && willDelayEndsAt == nil && expiryTimer == nil && movedTo == nil && stubTimer == nil
            && duplicateCheck == nil
    }
}
