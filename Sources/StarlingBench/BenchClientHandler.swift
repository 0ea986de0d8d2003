import Histogram
import MQTTCodec
import NIOCore

/// Why a client could not be used.
public struct BenchClientError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// One bench client: sends CONNECT (and SUBSCRIBE for a subscriber), then publishes or receives
/// until told to stop. Packets are encoded straight into the outbound `ByteBuffer`.
///
/// The protocol decisions are made by values (`OutboundWindow`, `InboundFlow`, `KeepAliveTimer`)
/// that return what to do; this class only carries them out. Publishing and receiving are in
/// `BenchClientHandler+Publishing.swift` and `+Subscribing.swift`.
final class BenchClientHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = ByteBuffer

    enum ConnectionState {
        case waitingForChannel
        case awaitingConnAck(startedAt: UInt64)
        case awaitingSubAck(packetID: UInt16)
        case ready
        /// We sent DISCONNECT and are closing.
        case disconnecting
        case closed
    }

    let plan: ClientPlan
    let loop: BenchLoopContext
    let ready: EventLoopPromise<Void>
    let connectTimeout: TimeAmount
    var state: ConnectionState = .waitingForChannel
    var context: ChannelHandlerContext?
    var keepAlive: KeepAliveTimer
    var inbound = InboundFlow()
    var publisher: PublisherState?
    var subscriber: SubscriberState?
    /// Whether something was written since the last flush.
    var needsFlush = false
    private var readyCompleted = false
    private var createdAt: UInt64
    private var connectTimer: Scheduled<Void>?
    private var keepAliveTimer: Scheduled<Void>?

    var version: ProtocolVersion { plan.protocolVersion }

    init(
        plan: ClientPlan,
        loop: BenchLoopContext,
        ready: EventLoopPromise<Void>,
        connectTimeout: TimeAmount,
        payloadTemplate: ByteBuffer
    ) {
        self.plan = plan
        self.loop = loop
        self.ready = ready
        self.connectTimeout = connectTimeout
        let now = MonotonicClock.now()
        self.createdAt = now
        self.keepAlive = KeepAliveTimer(keepAliveSeconds: plan.keepAlive, now: now)
        switch plan.role {
        case .publisher(let publisherPlan):
            publisher = PublisherState(
                plan: publisherPlan,
                payloadTemplate: payloadTemplate,
                version: plan.protocolVersion
            )
        case .subscriber(let subscriberPlan):
            subscriber = SubscriberState(plan: subscriberPlan)
        case .idle:
            break
        }
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connectTimer = context.eventLoop.assumeIsolated().scheduleTask(in: connectTimeout) {
            self.failReady("no CONNACK\(self.subscriber == nil ? "" : "/SUBACK") within the connect timeout")
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Covers a TCP connect that failed: the channel never became active.
        failReady("connection closed")
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let now = MonotonicClock.now()
        state = .awaitingConnAck(startedAt: createdAt)
        send(.connect(makeConnect()), now: now)
        flushIfNeeded()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .ready:
            loop.counters.disconnects += 1
            loop.recordFailure("connection closed by the server")
        case .waitingForChannel, .awaitingConnAck, .awaitingSubAck:
            failReady("connection closed before the handshake completed")
        case .disconnecting, .closed:
            break
        }
        state = .closed
        publisher?.running = false
        cancelTimers()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = MonotonicClock.now()
        switch unwrapInboundIn(data) {
        case .connAck(let connAck): receivedConnAck(connAck, now: now)
        case .subAck(let subAck): receivedSubAck(subAck, now: now)
        case .publish(let publish): receivedPublish(publish, now: now)
        case .pubAck(let pubAck):
            receivedAcknowledgement(now: now) {
                $0.receivedPubAck(pubAck.packetID, reasonCode: pubAck.reasonCode, now: now)
            }
        case .pubRec(let pubRec):
            receivedAcknowledgement(now: now) {
                $0.receivedPubRec(pubRec.packetID, reasonCode: pubRec.reasonCode, now: now)
            }
        case .pubComp(let pubComp):
            receivedAcknowledgement(now: now) { $0.receivedPubComp(pubComp.packetID, now: now) }
        case .pubRel(let pubRel):
            switch inbound.receivedPubRel(packetID: pubRel.packetID) {
            case .sendPubComp(let packetID, let reasonCode):
                send(.pubComp(MQTTPacket.PubComp(packetID: packetID, reasonCode: reasonCode)), now: now)
            }
        case .pingResp:
            keepAlive.receivedPingResp()
        case .disconnect(let disconnect):
            fail("the server sent DISCONNECT with reason \(disconnect.reasonCode)")
        case .connect, .subscribe, .unsubscribe, .unsubAck, .pingReq, .auth:
            fail("unexpected \(unwrapInboundIn(data).packetType) from the server")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        refillWindowIfNeeded()
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { resumePublishing() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Handshake

    private func makeConnect() -> MQTTPacket.Connect {
        var properties = MQTTProperties()
        if version == .v5 {
            properties.maximumPacketSize = UInt32(plan.maximumInboundPacketSize)
        }
        return MQTTPacket.Connect(
            protocolVersion: version,
            cleanStart: true,
            keepAlive: plan.keepAlive,
            clientID: plan.clientID,
            username: plan.username,
            password: plan.password.map { ByteBuffer(string: $0) },
            properties: properties
        )
    }

    private func receivedConnAck(_ connAck: MQTTPacket.ConnAck, now: UInt64) {
        guard case .awaitingConnAck(let startedAt) = state else { return fail("unexpected CONNACK") }
        guard !connAck.reasonCode.isFailure else {
            return fail("CONNACK refused the connection with reason \(connAck.reasonCode)")
        }
        loop.connectLatency.record((now &- startedAt) / 1_000)
        let properties = connAck.properties
        if let seconds = properties.serverKeepAlive { keepAlive.useServerKeepAlive(seconds: seconds) }
        if let receiveMaximum = properties.receiveMaximum { publisher?.window.limit(toReceiveMaximum: receiveMaximum) }
        let qos = publisher?.plan.qos ?? subscriber?.plan.qos ?? .atMostOnce
        if let maximumQoS = properties.maximumQoS, maximumQoS < qos.rawValue {
            return fail("the server's Maximum QoS is \(maximumQoS), below QoS \(qos.rawValue)")
        }
        if let maximum = properties.maximumPacketSize, let publisher, publisher.packetSize > Int(maximum) {
            return fail(
                "the server's Maximum Packet Size \(maximum) is below the \(publisher.packetSize)-byte publishes"
            )
        }
        scheduleKeepAlive()
        if let subscriber {
            let subscription = MQTTPacket.Subscription(
                topicFilter: subscriber.plan.filter.description,
                options: MQTTPacket.SubscriptionOptions(qos: subscriber.plan.qos)
            )
            state = .awaitingSubAck(packetID: 1)
            send(.subscribe(MQTTPacket.Subscribe(packetID: 1, subscriptions: [subscription])), now: now)
        } else {
            becomeReady()
        }
    }

    private func receivedSubAck(_ subAck: MQTTPacket.SubAck, now: UInt64) {
        guard case .awaitingSubAck(let packetID) = state, subAck.packetID == packetID else {
            return fail("unexpected SUBACK")
        }
        guard let code = subAck.reasonCodes.first, !code.isFailure else {
            let code = subAck.reasonCodes.first?.description ?? "none"
            return fail("SUBACK refused \(subscriber?.plan.filter.description ?? "") with reason \(code)")
        }
        becomeReady()
    }

    private func becomeReady() {
        state = .ready
        connectTimer?.cancel()
        connectTimer = nil
        readyCompleted = true
        loop.register(self)
        ready.succeed()
    }

    // MARK: Keep alive

    private func scheduleKeepAlive() {
        guard let interval = keepAlive.tickIntervalNanoseconds, let context else { return }
        keepAliveTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(interval))) {
            self.keepAliveTick()
        }
    }

    private func keepAliveTick() {
        let now = MonotonicClock.now()
        switch keepAlive.tick(now: now) {
        case .none:
            break
        case .sendPingReq:
            send(.pingReq, now: now)
            flushIfNeeded()
        case .close(let reason):
            return fail(reason)
        }
        scheduleKeepAlive()
    }

    // MARK: Writing and closing

    /// Encodes `packet` into a buffer of exactly its size and writes it (unflushed).
    func send(_ packet: MQTTPacket, now: UInt64) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: packet.encodedSize(version: version))
        packet.encode(version: version, into: &buffer)
        context.write(wrapOutboundOut(buffer), promise: nil)
        keepAlive.sentPacket(now: now)
        needsFlush = true
    }

    func flushIfNeeded() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    /// Closes the connection because of `reason`: the handshake fails, or a live connection counts as lost.
    func fail(_ reason: String) {
        if readyCompleted {
            if case .ready = state {
                loop.counters.disconnects += 1
                loop.recordFailure(reason)
            }
        } else {
            failReady(reason)
        }
        state = .closed
        publisher?.running = false
        cancelTimers()
        context?.close(promise: nil)
    }

    /// Fails the handshake once and closes; the runner records the reason from `ready`.
    private func failReady(_ reason: String) {
        guard !readyCompleted else { return }
        readyCompleted = true
        ready.fail(BenchClientError(description: reason))
        state = .closed
        cancelTimers()
        context?.close(promise: nil)
    }

    /// Sends DISCONNECT and closes; the future succeeds once the channel is closed.
    func disconnect() -> EventLoopFuture<Void> {
        guard let context else { return loop.eventLoop.makeSucceededVoidFuture() }
        if case .ready = state {
            state = .disconnecting
            publisher?.running = false
            cancelTimers()
            send(.disconnect(MQTTPacket.Disconnect()), now: MonotonicClock.now())
            flushIfNeeded()
            context.close(promise: nil)
        }
        return context.channel.closeFuture
    }

    private func cancelTimers() {
        connectTimer?.cancel()
        connectTimer = nil
        keepAliveTimer?.cancel()
        keepAliveTimer = nil
        publisher?.tickTimer?.cancel()
        publisher?.tickTimer = nil
    }
}
