import Broker
import Logging
import MQTTCodec
import NIOCore

/// The thin shell between a channel and the broker: it cuts the bytes into packets, runs the
/// CONNECT handshake and the connect and keep alive timers, and hands every later packet to
/// the session.
///
/// One handler per connection, and nothing more: decoding here rather than in a
/// `ByteToMessageHandler`, and one timer slot for both timers, keep an idle connection small
/// (see ``PacketReader``).
final class MQTTConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private enum State {
        case awaitingConnect
        /// CONNECT accepted; packets that arrive before the session is attached wait here.
        case attaching(ChannelConnection, pending: [MQTTPacket])
        case connected(Session, ChannelConnection)
        case closed
    }

    /// Packets accepted while a session is being attached; a client that sends more
    /// before its CONNACK is misbehaving.
    private static let maximumPendingPackets = 1024

    private let broker: Broker
    private let logger: Logger
    /// The listener's open connections, which this one is part of until it closes.
    private let connections: ConnectionSet?
    private var state = State.awaitingConnect
    private var reader: PacketReader
    /// Set once the bytes were malformed: what follows them is not read.
    private var readFailed = false
    /// The connect timeout until CONNECT arrives, then the keep alive check.
    private var timer: NIOScheduledCallback?
    private var keepAlive: TimeAmount?
    /// By the event loop's clock, so that tests on an `EmbeddedEventLoop` can move time.
    private var lastPacketAt = NIODeadline.uptimeNanoseconds(0)

    init(broker: Broker, logger: Logger, connections: ConnectionSet? = nil) {
        self.broker = broker
        self.logger = logger
        self.connections = connections
        self.reader = PacketReader(maximumPacketSize: broker.settings.maximumPacketSize)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connections?.insert(context.channel)
        lastPacketAt = context.eventLoop.now
        let timeout = TimeAmount.nanoseconds(Int64(broker.settings.connectTimeout.components.seconds) * 1_000_000_000)
        // A connection that never sends CONNECT is closed [MQTT-3.1.2-… 4.8 of 3.1.1].
        scheduleTimer(at: context.eventLoop.now + timeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        connections?.remove(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !readFailed else {
            // Like `ByteToMessageHandler`, which refuses data after a decoding error.
            logger.debug("data after a malformed packet")
            context.close(promise: nil)
            return
        }
        reader.append(unwrapInboundIn(data))
        do {
            while let packet = try reader.next() {
                received(packet, context: context)
            }
        } catch {
            readFailed = true
            errorCaught(context: context, error: error)
            return
        }
        reader.finishRead(allocator: context.channel.allocator)
    }

    private func received(_ packet: MQTTPacket, context: ChannelHandlerContext) {
        lastPacketAt = context.eventLoop.now
        switch state {
        case .awaitingConnect:
            guard case .connect(let connect) = packet else {
                // [MQTT-3.1.0-1] The first packet must be CONNECT.
                context.close(promise: nil)
                state = .closed
                return
            }
            receivedConnect(connect, context: context)
        case .attaching(let connection, var pending):
            guard pending.count < Self.maximumPendingPackets else {
                connection.close(reason: .receiveMaximumExceeded, serverReference: nil)
                return
            }
            pending.append(packet)
            state = .attaching(connection, pending: pending)
        case .connected(let session, let connection):
            forward(packet, session: session, connection: connection, context: context)
            if case .publish = packet, broker.isCongested { pauseReading(context: context) }
        case .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    private func forward(
        _ packet: MQTTPacket,
        session: Session,
        connection: ChannelConnection,
        context: ChannelHandlerContext
    ) {
        if case .pingReq = packet {
            // [MQTT-3.12.4-1] Answer PINGREQ with PINGRESP.
            connection.send(.pingResp)
            return
        }
        broker.received(packet, for: session, from: connection)
    }

    /// How often a paused publisher looks again whether subscribers have caught up.
    static let congestionCheckInterval = TimeAmount.milliseconds(1)
    /// The longest one pause lasts: a subscriber that never catches up slows publishers, never stops them.
    static let maximumCongestionPause = TimeAmount.milliseconds(100)
    private var readingPaused = false

    /// Stops reading from this publisher while a subscriber is falling behind (TCP then slows the
    /// publisher down), until the subscribers catch up or the pause has lasted its maximum.
    private func pauseReading(context: ChannelHandlerContext) {
        guard !readingPaused else { return }
        readingPaused = true
        broker.countPublisherPause()
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        scheduleCongestionCheck(context: context, resumeBy: context.eventLoop.now + Self.maximumCongestionPause)
    }

    private func scheduleCongestionCheck(context: ChannelHandlerContext, resumeBy: NIODeadline) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.congestionCheckInterval) {
            let (handler, context) = loopBound.value
            if handler.broker.isCongested, context.eventLoop.now < resumeBy, context.channel.isActive {
                handler.scheduleCongestionCheck(context: context, resumeBy: resumeBy)
                return
            }
            handler.readingPaused = false
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
    }

    private func receivedConnect(_ connect: MQTTPacket.Connect, context: ChannelHandlerContext) {
        cancelTimer()
        let result = ConnectNegotiation.evaluate(
            connect,
            settings: broker.settings,
            assignClientID: broker.makeClientID
        )
        let negotiated: NegotiatedConnect
        switch result {
        case .failure(let refusal):
            logger.info(
                "connection refused",
                metadata: [
                    "client": "\(connect.clientID)", "reason": "\(refusal.reasonCode)", "detail": "\(refusal.reason)",
                ]
            )
            var properties = MQTTProperties()
            if connect.protocolVersion == .v5, connect.properties.requestProblemInformation != 0 {
                properties.reasonString = refusal.reason
            }
            refuse(
                MQTTPacket.ConnAck(sessionPresent: false, reasonCode: refusal.reasonCode, properties: properties),
                version: connect.protocolVersion,
                context: context
            )
            return
        case .success(let value):
            negotiated = value
        }

        let connection = ChannelConnection(channel: context.channel, negotiated: negotiated)
        state = .attaching(connection, pending: [])
        if negotiated.keepAlive > 0 {
            // [MQTT-3.1.2-24] Allow one and a half keep alive periods of silence.
            let keepAlive = TimeAmount.milliseconds(Int64(negotiated.keepAlive) * 1500)
            self.keepAlive = keepAlive
            scheduleTimer(at: lastPacketAt + keepAlive, context: context)
        }
        let shard = broker.shard(for: context.eventLoop)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        broker.connect(negotiated, connection: connection, on: shard)
            .hop(to: context.eventLoop)
            .whenComplete { result in
                let (handler, context) = loopBound.value
                handler.attached(result, connection: connection, context: context)
            }
    }

    private func attached(
        _ result: Result<Session, any Error>,
        connection: ChannelConnection,
        context: ChannelHandlerContext
    ) {
        guard case .attaching(_, let pending) = state else {
            // The channel closed while the session was being attached.
            if case .success(let session) = result { broker.connectionClosed(connection, session: session) }
            return
        }
        switch result {
        case .success(let session):
            state = .connected(session, connection)
            for packet in pending {
                forward(packet, session: session, connection: connection, context: context)
            }
        case .failure(let error):
            logger.error("attaching a session failed", metadata: ["error": "\(error)"])
            connection.close(reason: .unspecifiedError, serverReference: nil)
        }
    }

    private func refuse(_ connAck: MQTTPacket.ConnAck, version: ProtocolVersion, context: ChannelHandlerContext) {
        state = .closed
        let packet = MQTTPacket.connAck(connAck)
        var buffer = context.channel.allocator.buffer(capacity: packet.encodedSize(version: version))
        packet.encode(version: version, into: &buffer)
        // [MQTT-3.2.2-6] A refused CONNECT is followed by closing the connection.
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: Timer

    /// Arms the one timer. Scheduled as a callback rather than a task, it costs the event loop
    /// one queue entry and no allocation.
    private func scheduleTimer(at deadline: NIODeadline, context: ChannelHandlerContext) {
        do {
            let fired = TimerFired(handler: self, context: context)
            timer = try context.eventLoop.scheduleCallback(at: deadline, handler: fired)
        } catch {
            // The event loop is shutting down.
            context.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    fileprivate func timerFired(context: ChannelHandlerContext) {
        timer = nil
        switch state {
        case .awaitingConnect:
            logger.debug("connect timeout")
            context.close(promise: nil)
        case .attaching, .connected:
            guard let keepAlive else { return }
            if context.eventLoop.now - lastPacketAt >= keepAlive {
                logger.debug("keep alive expired")
                closeWithReason(.keepAliveTimeout, context: context)
            } else {
                scheduleTimer(at: lastPacketAt + keepAlive, context: context)
            }
        case .closed:
            break
        }
    }

    private func closeWithReason(_ reason: ReasonCode, context: ChannelHandlerContext) {
        switch state {
        case .attaching(let connection, _), .connected(_, let connection):
            connection.close(reason: reason, serverReference: nil)
        case .awaitingConnect, .closed:
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerShutdownEvent {
            closeWithReason(.serverShuttingDown, context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        connections?.remove(context.channel)
        if case .connected(let session, let connection) = state {
            broker.connectionClosed(connection, session: session)
        }
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let codecError = error as? MQTTCodecError else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        logger.info("malformed packet", metadata: ["error": "\(codecError)", "reason": "\(codecError.reasonCode)"])
        switch state {
        case .awaitingConnect:
            // Answer in the version the CONNECT declared; an unknown level gets the 3.1.1 form
            // of "unacceptable protocol version" [MQTT-3.1.2-2].
            let version = codecError.protocolVersion ?? .v3_1_1
            if codecError.reasonCode == .unsupportedProtocolVersion || version == .v5 {
                refuse(
                    MQTTPacket.ConnAck(sessionPresent: false, reasonCode: codecError.reasonCode),
                    version: version,
                    context: context
                )
            } else {
                state = .closed
                context.close(promise: nil)
            }
        case .attaching, .connected:
            // 5.0: DISCONNECT with the reason code naming the fault [MQTT-4.13.1-1]; 3.x: close.
            closeWithReason(codecError.reasonCode, context: context)
        case .closed:
            context.close(promise: nil)
        }
    }
}

/// Fired through every connection's pipeline when the server shuts down: 5.0 clients get
/// DISCONNECT 0x8B (Server shutting down).
public struct ServerShutdownEvent: Sendable {
    public init() {}
}

/// The timer's callback. `@unchecked Sendable`: it is scheduled on the channel's event loop,
/// which is the only place it runs; holding the handler and context directly (rather than in
/// a `NIOLoopBound`) keeps it small enough to be stored without an allocation.
private struct TimerFired: NIOScheduledCallbackHandler, @unchecked Sendable {
    let handler: MQTTConnectionHandler
    let context: ChannelHandlerContext

    func handleScheduledCallback(eventLoop: some EventLoop) {
        handler.timerFired(context: context)
    }
}
