import Broker
import Logging
import MQTTCodec
import NIOCore

/// One client connection, from its first byte to its close: it cuts the bytes into packets, runs
/// the CONNECT handshake and the connect and keep alive timers, hands every later packet to the
/// session, and is the session's ``SessionConnection``.
///
/// Its bytes come either through a SwiftNIO channel (``MQTTConnectionHandler`` passes them on) or,
/// while the connection is quiet, straight from its socket in the ``ParkingLot`` (see
/// ClientConnection+Carrier.swift). The protocol does not depend on which.
///
/// `@unchecked Sendable`: all state is touched on `eventLoop` only; every entry point from
/// elsewhere hops there first. `protocolVersion` and `maximumPacketSize` are set at CONNECT,
/// before the session sees the connection.
final class ClientConnection: ParkingLot.Entry, SessionConnection, @unchecked Sendable {
    enum Phase {
        case awaitingConnect
        /// CONNECT accepted; packets that arrive before the session is attached wait here.
        case attaching(pending: [MQTTPacket])
        case connected(Session)
        case closed
    }

    /// Packets accepted while a session is being attached; a client that sends more
    /// before its CONNACK is misbehaving.
    static let maximumPendingPackets = 1024

    let shard: Shard
    let context: ListenerContext
    /// The socket, owned here for the connection's life; a channel gets a duplicate of it.
    /// -1 for a connection that came as a channel.
    let socket: Int32
    var phase = Phase.awaitingConnect
    var carrier: Carrier
    var reader: PacketReader
    /// Set once the bytes were malformed: what follows them is not read.
    var readFailed = false
    /// When the timer is due: the connect timeout until CONNECT arrives, then the keep alive check
    /// and the park check. Checked by the loop's ``ConnectionTimers``.
    var timerDue: NIODeadline?
    /// This connection's place in its loop's ``ConnectionTimers``; -1 when not there.
    var timerSlot = -1
    var keepAlive: TimeAmount?
    /// By the event loop's clock, so that tests on an `EmbeddedEventLoop` can move time.
    var lastPacketAt = NIODeadline.uptimeNanoseconds(0)
    /// The last byte read, or written while parked; writes through a channel only set
    /// `wroteSinceTimer`, which the timer turns into a time, so that no write reads the clock.
    var lastActivityAt = NIODeadline.uptimeNanoseconds(0)
    var wroteSinceTimer = false
    var flushScheduled = false
    var isClosing = false
    var readingPaused = false

    private(set) var protocolVersion = ProtocolVersion.v5
    private(set) var maximumPacketSize = Int.max
    /// How many topic aliases the client accepts from us (its Topic Alias Maximum).
    private var topicAliasMaximum: UInt16 = 0
    private var outboundAliases: [String: UInt16] = [:]

    var eventLoop: any EventLoop { shard.eventLoop }
    var broker: Broker { context.broker }

    init(shard: Shard, context: ListenerContext, socket: Int32, carrier: Carrier) {
        self.shard = shard
        self.context = context
        self.socket = socket
        self.carrier = carrier
        self.reader = PacketReader(maximumPacketSize: context.broker.settings.maximumPacketSize)
    }

    /// Starts the connect timeout: a connection that never sends CONNECT is closed
    /// [MQTT-3.1.2-… 4.8 of 3.1.1]. On `eventLoop`.
    func start() {
        context.connections.insert(self)
        lastPacketAt = eventLoop.now
        lastActivityAt = lastPacketAt
        scheduleTimer(at: lastPacketAt + TimeAmount(broker.settings.connectTimeout))
    }

    /// The lot saw the parked socket readable (or closed). On the lot's thread.
    override func socketReady(events: UInt32) {
        eventLoop.execute { self.parkedSocketReady() }
    }

    // MARK: Reading

    /// Bytes read from the socket, by the channel or by the parking lot.
    func received(bytes: ByteBuffer) {
        guard !readFailed else {
            // Like `ByteToMessageHandler`, which refuses data after a decoding error.
            context.logger.debug("data after a malformed packet")
            closeTransport()
            return
        }
        // One clock reading per read, for the read and each packet in it.
        let now = eventLoop.now
        lastActivityAt = now
        reader.append(bytes)
        decodeBuffered(now: now)
    }

    /// Takes the complete packets out of the reader, until a pause for congestion stops it: the
    /// rest waits in the reader until the pause ends.
    private func decodeBuffered(now: NIODeadline) {
        do {
            while !readingPaused, let packet = try reader.next() {
                lastPacketAt = now
                received(packet)
                if case .closed = phase { return }
            }
        } catch {
            readFailed = true
            malformed(error)
            return
        }
        reader.finishRead(allocator: ByteBufferAllocator())
    }

    private func received(_ packet: MQTTPacket) {
        switch phase {
        case .awaitingConnect:
            guard case .connect(let connect) = packet else {
                // [MQTT-3.1.0-1] The first packet must be CONNECT.
                phase = .closed
                closeTransport()
                return
            }
            receivedConnect(connect)
        case .attaching(var pending):
            guard pending.count < Self.maximumPendingPackets else {
                close(reason: .receiveMaximumExceeded, serverReference: nil)
                return
            }
            pending.append(packet)
            phase = .attaching(pending: pending)
        case .connected(let session):
            forward(packet, session: session)
            if case .publish = packet, broker.isCongested { pauseReading() }
        case .closed:
            break
        }
    }

    private func forward(_ packet: MQTTPacket, session: Session) {
        if case .pingReq = packet {
            // [MQTT-3.12.4-1] Answer PINGREQ with PINGRESP.
            send(.pingResp)
            return
        }
        broker.received(packet, for: session, from: self)
    }

    private func receivedConnect(_ connect: MQTTPacket.Connect) {
        cancelTimer()
        let result = ConnectNegotiation.evaluate(
            connect,
            settings: broker.settings,
            assignClientID: broker.makeClientID
        )
        let negotiated: NegotiatedConnect
        switch result {
        case .failure(let refusal):
            context.logger.info(
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
                version: connect.protocolVersion
            )
            return
        case .success(let value):
            negotiated = value
        }
        protocolVersion = negotiated.protocolVersion
        maximumPacketSize = negotiated.clientMaximumPacketSize
        topicAliasMaximum = negotiated.protocolVersion == .v5 ? negotiated.clientTopicAliasMaximum : 0
        phase = .attaching(pending: [])
        if negotiated.keepAlive > 0 {
            // [MQTT-3.1.2-24] Allow one and a half keep alive periods of silence.
            keepAlive = .milliseconds(Int64(negotiated.keepAlive) * 1500)
        }
        armTimer()
        broker.connect(negotiated, connection: self, on: shard)
            .hop(to: eventLoop)
            .whenComplete { result in self.attached(result) }
    }

    private func attached(_ result: Result<Session, any Error>) {
        guard case .attaching(let pending) = phase else {
            // The connection closed while the session was being attached.
            if case .success(let session) = result { broker.connectionClosed(self, session: session) }
            return
        }
        switch result {
        case .success(let session):
            phase = .connected(session)
            for packet in pending {
                forward(packet, session: session)
            }
        case .failure(let error):
            context.logger.error("attaching a session failed", metadata: ["error": "\(error)"])
            close(reason: .unspecifiedError, serverReference: nil)
        }
    }

    private func refuse(_ connAck: MQTTPacket.ConnAck, version: ProtocolVersion) {
        phase = .closed
        // [MQTT-3.2.2-6] A refused CONNECT is followed by closing the connection.
        writeThenClose(encode(.connAck(connAck), version: version))
    }

    /// Bytes that do not make a valid packet.
    private func malformed(_ error: any Error) {
        guard let codecError = error as? MQTTCodecError else {
            context.logger.debug("connection error", metadata: ["error": "\(error)"])
            closeTransport()
            return
        }
        context.logger.info(
            "malformed packet",
            metadata: ["error": "\(codecError)", "reason": "\(codecError.reasonCode)"]
        )
        switch phase {
        case .awaitingConnect:
            // Answer in the version the CONNECT declared; an unknown level gets the 3.1.1 form
            // of "unacceptable protocol version" [MQTT-3.1.2-2].
            let version = codecError.protocolVersion ?? .v3_1_1
            if codecError.reasonCode == .unsupportedProtocolVersion || version == .v5 {
                refuse(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: codecError.reasonCode), version: version)
            } else {
                phase = .closed
                closeTransport()
            }
        case .attaching, .connected:
            // 5.0: DISCONNECT with the reason code naming the fault [MQTT-4.13.1-1]; 3.x: close.
            close(reason: codecError.reasonCode, serverReference: nil)
        case .closed:
            closeTransport()
        }
    }

    /// The channel failed (a reset, a read error): the connection ends.
    func channelError(_ error: any Error) {
        context.logger.debug("connection error", metadata: ["error": "\(error)"])
        closeTransport()
    }

    /// The server is shutting down: 5.0 clients get DISCONNECT 0x8B.
    func serverShuttingDown() {
        switch phase {
        case .attaching, .connected: close(reason: .serverShuttingDown, serverReference: nil)
        case .awaitingConnect, .closed: closeTransport()
        }
    }

    /// The socket is gone, whichever way it went: the session hears of it once.
    func transportClosed() {
        cancelTimer()
        context.connections.remove(self)
        if case .connected(let session) = phase {
            broker.connectionClosed(self, session: session)
        }
        phase = .closed
    }

    // MARK: SessionConnection

    var isWritable: Bool { carrierIsWritable }

    /// The channel's send buffer crossed one of its marks. Once it has drained, the session may
    /// send QoS 0 messages again (and stops slowing publishers down).
    func writabilityChanged(isWritable: Bool) {
        guard isWritable, case .connected(let session) = phase else { return }
        broker.connectionWritable(self, session: session)
    }

    func send(_ packet: MQTTPacket) {
        if eventLoop.inEventLoop {
            write(packet)
        } else {
            eventLoop.execute { self.write(packet) }
        }
    }

    func close(reason: ReasonCode?, serverReference: String?) {
        if eventLoop.inEventLoop {
            closeNow(reason: reason, serverReference: serverReference)
        } else {
            eventLoop.execute { self.closeNow(reason: reason, serverReference: serverReference) }
        }
    }

    private func write(_ packet: MQTTPacket) {
        guard !isClosing else { return }
        var packet = packet
        if topicAliasMaximum > 0, case .publish(var publish) = packet {
            applyTopicAlias(&publish)
            packet = .publish(publish)
        }
        writeBytes(encode(packet, version: protocolVersion))
    }

    func encode(_ packet: MQTTPacket, version: ProtocolVersion) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: packet.encodedSize(version: version))
        packet.encode(version: version, into: &buffer)
        return buffer
    }

    /// Replaces a topic we already gave an alias by that alias, or gives it one while
    /// aliases are left [MQTT-3.3.2-… 5.0 §3.3.2.3.4]. Aliases never change once given.
    private func applyTopicAlias(_ publish: inout MQTTPacket.Publish) {
        if let alias = outboundAliases[publish.topic] {
            publish.topic = ""
            publish.properties.topicAlias = alias
        } else if outboundAliases.count < Int(topicAliasMaximum) {
            let alias = UInt16(outboundAliases.count + 1)
            outboundAliases[publish.topic] = alias
            publish.properties.topicAlias = alias
        }
    }

    /// Writes DISCONNECT (5.0 only [MQTT-3.14.0-1]) and closes once it is written.
    func closeNow(reason: ReasonCode?, serverReference: String?) {
        guard !isClosing else { return }
        guard protocolVersion == .v5, let reason else {
            closeTransport()
            return
        }
        var properties = MQTTProperties()
        if let serverReference { properties.serverReference = serverReference }
        let packet = MQTTPacket.disconnect(MQTTPacket.Disconnect(reasonCode: reason, properties: properties))
        writeThenHalfClose(encode(packet, version: protocolVersion))
    }

    /// How long a connection told to go stays half-open for the client to read why and close.
    static let lingerAfterDisconnect = TimeAmount.seconds(1)

    // MARK: Timer

    /// Arms the one timer for the earliest of: keep alive expiry, and the moment a quiet
    /// connection in a channel may be parked.
    func armTimer() {
        var deadline: NIODeadline?
        if let keepAlive { deadline = lastPacketAt + keepAlive }
        if canPark {
            let parkAt = lastActivityAt + context.parkAfter
            deadline = deadline.map { min($0, parkAt) } ?? parkAt
        }
        scheduleTimer(at: deadline)
    }

    private func scheduleTimer(at deadline: NIODeadline?) {
        timerDue = deadline
        if deadline != nil { context.timers(of: shard).add(self) }
    }

    func cancelTimer() {
        timerDue = nil
        context.timers(of: shard).remove(self)
    }

    /// Called by the loop's ``ConnectionTimers`` once `timerDue` has passed.
    func timerFired() {
        timerDue = nil
        switch phase {
        case .awaitingConnect:
            context.logger.debug("connect timeout")
            closeTransport()
        case .attaching, .connected:
            if let keepAlive, eventLoop.now - lastPacketAt >= keepAlive {
                context.logger.debug("keep alive expired")
                close(reason: .keepAliveTimeout, serverReference: nil)
                return
            }
            if wroteSinceTimer {
                wroteSinceTimer = false
                lastActivityAt = eventLoop.now
            }
            if canPark, eventLoop.now - lastActivityAt >= context.parkAfter { park() }
            armTimer()
        case .closed:
            break
        }
    }

    // MARK: Congestion

    /// How often a paused publisher looks again whether subscribers have caught up.
    static let congestionCheckInterval = TimeAmount.milliseconds(1)
    /// The longest one pause lasts: a subscriber that never catches up slows publishers, never stops
    /// them (and one that stops reading altogether soon stops counting, see `CongestionState`).
    static let maximumCongestionPause = TimeAmount.milliseconds(100)

    /// Stops reading from this publisher while a subscriber is falling behind (TCP then slows the
    /// publisher down), until the subscribers catch up or the pause has lasted its maximum. Packets
    /// already read wait undecoded. Only a channel can stop reading; a parked publisher sends too
    /// little to matter.
    private func pauseReading() {
        guard !readingPaused, case .channel(let channel) = carrier else { return }
        readingPaused = true
        broker.countPublisherPause()
        channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        scheduleCongestionCheck(channel: channel, resumeBy: eventLoop.now + Self.maximumCongestionPause)
    }

    private func scheduleCongestionCheck(channel: any Channel, resumeBy: NIODeadline) {
        eventLoop.scheduleTask(in: Self.congestionCheckInterval) {
            let now = self.eventLoop.now
            guard channel.isActive, case .channel(let current) = self.carrier, current === channel else { return }
            if self.broker.isCongested, now < resumeBy {
                self.scheduleCongestionCheck(channel: channel, resumeBy: resumeBy)
                return
            }
            self.readingPaused = false
            self.decodeBuffered(now: now)
            if !self.readingPaused, channel.isActive {
                channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
                self.flushAfterRead()
            }
        }
    }
}
