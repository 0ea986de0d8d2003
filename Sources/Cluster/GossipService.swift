import Logging
import Membership
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The I/O shell around ``SWIMStateMachine``: UDP gossip and TCP push-pull on the cluster port, a ticker,
/// seed and DNS discovery. Everything runs on one event loop, which owns the state machine; the shell
/// does what the machine's directives say and nothing else of its own.
public final class GossipService: Sendable {
    public let identity: NodeIdentity
    /// The bound cluster port (useful with port 0).
    public let port: Int
    let loop: any EventLoop
    private let machine: NIOLoopBoundBox<SWIMStateMachine>
    private let udp: any Channel
    private let tcp: any Channel
    private let authenticator: GossipAuthenticator
    private let resolver: AddressResolver
    private let srvLookup = SRVLookup()
    private let settings: GossipSettings
    private let logger: Logger
    private let origin: NIODeadline
    private let counters = NIOLockedValueBox(GossipCounters())
    private let observers = NIOLockedValueBox([@Sendable (MembershipEvent) -> Void]())
    private let timers = NIOLockedValueBox([RepeatedTask]())
    private let rejectionLog = NIOLockedValueBox([String: NIODeadline]())
    /// Sets up an accepted peer-link connection (after its magic bytes); nil refuses them.
    let peerLinkAcceptor = NIOLockedValueBox<(@Sendable (any Channel) throws -> Void)?>(nil)

    /// Accept peer links on the cluster port with `acceptor`, which sets up the channel's pipeline.
    public func acceptPeerLinks(_ acceptor: @escaping @Sendable (any Channel) throws -> Void) {
        peerLinkAcceptor.withLockedValue { $0 = acceptor }
    }

    /// The event loop gossip runs on; the cluster's other I/O may share it.
    public var eventLoop: any EventLoop { loop }

    /// How long a push-pull exchange may take, connect included.
    static let pushPullTimeout = TimeAmount.seconds(5)
    /// How often the ticker looks at the machine's next deadline.
    static let tickInterval = TimeAmount.milliseconds(20)

    private init(
        identity: NodeIdentity,
        port: Int,
        loop: any EventLoop,
        machine: SWIMStateMachine,
        udp: any Channel,
        tcp: any Channel,
        settings: GossipSettings,
        logger: Logger
    ) {
        self.identity = identity
        self.port = port
        self.loop = loop
        self.machine = NIOLoopBoundBox.makeBoxSendingValue(machine, as: SWIMStateMachine.self, eventLoop: loop)
        self.udp = udp
        self.tcp = tcp
        self.authenticator = GossipAuthenticator(secret: settings.secret)
        self.resolver = AddressResolver(
            timeToLive: .nanoseconds(Int64(settings.discoveryInterval.components.seconds) * 1_000_000_000)
        )
        self.settings = settings
        self.logger = logger
        self.origin = .now()
    }

    /// Binds UDP and TCP on the cluster port and starts gossiping: joins through the seeds at once.
    public static func start(
        settings: GossipSettings,
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> GossipService {
        let service = try await bind(settings: settings, group: group, logger: logger)
        await service.begin()
        return service
    }

    /// Starts the timers: the first join attempt, probes, push-pulls. Observers and the peer-link
    /// acceptor should be in place before, so they see the first events.
    public func begin() async {
        try? await loop.submit { self.startTimers() }.get()
    }

    /// Binds UDP and TCP on the cluster port; nothing is sent until ``begin()``.
    public static func bind(
        settings: GossipSettings,
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> GossipService {
        let loop = group.next()
        let inbox = Inbox()
        let (udp, tcp) = try await bindSharedPort(settings: settings, loop: loop, inbox: inbox)
        let port = udp.localAddress?.port ?? settings.listenPort
        let address = settings.advertise ?? AdvertisedAddress.derive(bindHost: settings.listenHost, port: port)
        let identity = NodeIdentity(
            name: settings.nodeName,
            bootID: UInt64.random(in: 1...UInt64.max),
            address: address
        )
        var random = SystemRandomNumberGenerator()
        let machine = try SWIMStateMachine(
            configuration: settings.membership,
            identity: identity,
            seeds: settings.seeds,
            random: &random
        )
        let service = GossipService(
            identity: identity,
            port: port,
            loop: loop,
            machine: machine,
            udp: udp,
            tcp: tcp,
            settings: settings,
            logger: logger
        )
        inbox.service.withLockedValue { $0 = service }
        logger.info(
            "listening cluster udp+tcp \(PeerAddress.text(host: udp.localAddress?.ipAddress ?? settings.listenHost, port: port))",
            metadata: ["advertise": "\(address)", "boot": "\(String(identity.bootID, radix: 16))"]
        )
        return service
    }

    /// Binds UDP first (it picks the port when 0 is asked for), then TCP on the same number.
    private static func bindSharedPort(
        settings: GossipSettings,
        loop: any EventLoop,
        inbox: Inbox
    ) async throws -> (any Channel, any Channel) {
        var lastError: (any Error)?
        for _ in 0..<(settings.listenPort == 0 ? 8 : 1) {
            let udp = try await DatagramBootstrap(group: loop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            GossipDatagramHandler { bytes, source in inbox.datagram(bytes, from: source) }
                        )
                    }
                }
                .bind(host: settings.listenHost, port: settings.listenPort)
                .get()
            let port = udp.localAddress?.port ?? settings.listenPort
            do {
                let tcp = try await ServerBootstrap(group: loop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let sniffer = ProtocolSniffer(
                                peerLink: { channel in try inbox.peerLink(channel) },
                                pushPull: { channel in
                                    let sync = channel.pipeline.syncOperations
                                    try sync.addHandler(IdleStateHandler(readTimeout: pushPullTimeout))
                                    try sync.addHandler(ByteToMessageHandler(PushPullFrameDecoder()))
                                    try sync.addHandler(
                                        PushPullServerHandler { frame, source in
                                            inbox.pushPull(frame, from: source, on: channel.eventLoop)
                                        }
                                    )
                                }
                            )
                            try channel.pipeline.syncOperations.addHandler(sniffer)
                        }
                    }
                    .bind(host: settings.listenHost, port: port)
                    .get()
                return (udp, tcp)
            } catch {
                lastError = error
                try? await udp.close()
            }
        }
        throw lastError!
    }

    // MARK: Observing

    /// Calls `observer` on the service's event loop for every membership change.
    public func observe(_ observer: @escaping @Sendable (MembershipEvent) -> Void) {
        observers.withLockedValue { $0.append(observer) }
    }

    /// The members this node knows, itself included.
    public func members() async -> [Member] {
        (try? await loop.submit { self.machine.value.members }.get()) ?? []
    }

    public var statistics: GossipCounters { counters.withLockedValue { $0 } }

    // MARK: Lifecycle

    /// Tells the cluster this node is leaving, gives the messages a moment to go out, and stops.
    public func leave() async {
        _ = try? await loop.submit {
            let directives = self.machine.value.leave(now: self.now)
            self.perform(directives)
        }.get()
        // The leave goes out by UDP at once; wait one protocol period for the acks that spread it further.
        try? await Task.sleep(for: settings.membership.protocolPeriod)
        await stop()
    }

    /// Stops without telling anyone: peers will find this node dead.
    public func stop() async {
        for task in timers.withLockedValue({ timers in
            defer { timers = [] }; return timers
        }) { task.cancel() }
        try? await udp.close()
        try? await tcp.close()
    }

    // MARK: Inputs

    private var now: Duration {
        let nanoseconds = (NIODeadline.now() - origin).nanoseconds
        return .nanoseconds(nanoseconds)
    }

    private func startTimers() {
        let ticker = loop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.tickInterval) { _ in
            let now = self.now
            guard now >= self.machine.value.nextDeadline else { return }
            self.perform(self.machine.value.tick(now: now))
        }
        var tasks = [ticker]
        if let name = settings.discoveryDNS, !name.isEmpty {
            let interval = TimeAmount.nanoseconds(Int64(settings.discoveryInterval.components.seconds) * 1_000_000_000)
            tasks.append(loop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { _ in self.discover(name) })
        }
        timers.withLockedValue { $0 = tasks }
    }

    fileprivate func receiveDatagram(_ sealed: [UInt8], from source: SocketAddress) {
        loop.preconditionInEventLoop()
        counters.withLockedValue { $0.datagramsIn += 1 }
        guard let sourceText = PeerAddress.text(source) else { return }
        guard let bytes = authenticator.open(sealed) else {
            reject(from: sourceText, what: "gossip datagram")
            return
        }
        let message: GossipMessage
        do {
            message = try GossipCodec.decodeMessage(bytes)
        } catch {
            counters.withLockedValue { $0.rejectedMalformed += 1 }
            logger.debug("malformed gossip", metadata: ["from": "\(sourceText)", "error": "\(error)"])
            return
        }
        perform(machine.value.receive(message, from: sourceText, now: now))
    }

    fileprivate func answerPushPull(_ sealed: [UInt8], from source: SocketAddress?) -> [UInt8]? {
        loop.preconditionInEventLoop()
        let sourceText = source.flatMap(PeerAddress.text) ?? "?"
        guard let bytes = authenticator.open(sealed) else {
            reject(from: sourceText, what: "push-pull")
            return nil
        }
        guard let payload = try? GossipCodec.decodePushPull(bytes) else {
            counters.withLockedValue { $0.rejectedMalformed += 1 }
            return nil
        }
        let response = machine.value.receivePushPull(payload, now: now)
        perform(response.directives)
        guard let reply = response.reply, let encoded = try? GossipCodec.encode(reply) else {
            if payload.clusterName != settings.membership.clusterName {
                logger.warning(
                    "ignored a node of another cluster",
                    metadata: ["from": "\(sourceText)", "cluster": "\(payload.clusterName)"]
                )
            }
            return nil
        }
        counters.withLockedValue { $0.pushPullsAnswered += 1 }
        return authenticator.seal(encoded)
    }

    /// Logs a message that failed authentication, at most once a minute per source.
    private func reject(from source: String, what: String) {
        counters.withLockedValue { $0.rejectedUnauthenticated += 1 }
        let host = PeerAddress.split(source)?.host ?? source
        let now = NIODeadline.now()
        let shouldLog = rejectionLog.withLockedValue { log in
            if let last = log[host], now - last < .seconds(60) { return false }
            if log.count > 1024 { log.removeAll() }
            log[host] = now
            return true
        }
        if shouldLog {
            logger.warning(
                "rejected \(what) that failed authentication (another cluster secret?)",
                metadata: ["from": "\(source)"]
            )
        }
    }

    // MARK: Directives

    private func perform(_ directives: [MembershipDirective]) {
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                send(message, to: address)
            case .startPushPull(let payload, let address):
                startPushPull(payload, with: address)
            case .notify(let event):
                log(event)
                for observer in observers.withLockedValue({ $0 }) { observer(event) }
            }
        }
    }

    private func send(_ message: GossipMessage, to address: String) {
        guard let encoded = try? GossipCodec.encode(message) else { return }
        let sealed = authenticator.seal(encoded)
        resolver.resolve(address, on: loop).whenComplete { result in
            switch result {
            case .success(let socketAddress):
                var buffer = self.udp.allocator.buffer(capacity: sealed.count)
                buffer.writeBytes(sealed)
                self.counters.withLockedValue { $0.datagramsOut += 1 }
                self.udp.writeAndFlush(AddressedEnvelope(remoteAddress: socketAddress, data: buffer), promise: nil)
            case .failure:
                self.counters.withLockedValue { $0.unresolvable += 1 }
            }
        }
    }

    private func startPushPull(_ payload: PushPullPayload, with address: String) {
        guard let encoded = try? GossipCodec.encode(payload) else { return }
        let sealed = authenticator.seal(encoded)
        counters.withLockedValue { $0.pushPullsStarted += 1 }
        resolver.resolve(address, on: loop)
            .flatMap { socketAddress in self.exchange(sealed, with: socketAddress) }
            .whenComplete { result in
                guard case .success(let answer) = result, let bytes = self.authenticator.open(answer),
                    let reply = try? GossipCodec.decodePushPull(bytes)
                else {
                    self.counters.withLockedValue { $0.pushPullsFailed += 1 }
                    self.logger.trace("push-pull failed", metadata: ["with": "\(address)"])
                    return
                }
                self.perform(self.machine.value.receivePushPullReply(reply, now: self.now))
            }
    }

    private func exchange(_ sealed: [UInt8], with address: SocketAddress) -> EventLoopFuture<[UInt8]> {
        let promise = loop.makePromise(of: [UInt8].self)
        let timeout = loop.scheduleTask(in: Self.pushPullTimeout) {
            promise.fail(ChannelError.connectTimeout(Self.pushPullTimeout))
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        ClientBootstrap(group: loop)
            .connectTimeout(Self.pushPullTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PushPullFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(PushPullClientHandler(promise: promise))
                }
            }
            .connect(to: address)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    channel.writeAndFlush(
                        PushPullFrameDecoder.frame(sealed, allocator: channel.allocator),
                        promise: nil
                    )
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                case .failure(let error):
                    promise.fail(error)
                }
            }
        return promise.futureResult
    }

    // MARK: Discovery

    /// Looks up the discovery name's SRV records first and push-pulls with every endpoint that is not an
    /// active member yet; without SRV records, does the same with its A/AAAA records and the cluster port.
    private func discover(_ name: String) {
        srvLookup.lookup(name, on: loop).whenComplete { result in
            switch result {
            case .success(let endpoints) where !endpoints.isEmpty:
                self.logger.debug("discovery: SRV records of \(name)", metadata: ["found": "\(endpoints)"])
                for endpoint in endpoints {
                    let target = PeerAddress.text(host: endpoint.host, port: endpoint.port)
                    self.resolver.resolveAll(target, on: self.loop).whenComplete { result in
                        switch result {
                        case .success(let addresses): self.pushPullWithNewcomers(addresses)
                        case .failure: self.logger.debug("discovery: cannot resolve SRV target \(target)")
                        }
                    }
                }
            case .success:
                self.logger.debug("discovery: no SRV records for \(name)")
                self.discoverAddresses(name, srvOutcome: "no SRV records")
            case .failure(let error):
                self.logger.debug("discovery: SRV lookup of \(name) failed", metadata: ["error": "\(error)"])
                self.discoverAddresses(name, srvOutcome: "\(error)")
            }
        }
    }

    /// The A/AAAA records of `name`, with the cluster port.
    private func discoverAddresses(_ name: String, srvOutcome: String) {
        let target = PeerAddress.text(host: name, port: port)
        resolver.resolveAll(target, on: loop).whenComplete { result in
            switch result {
            case .success(let addresses):
                self.logger.debug("discovery: A/AAAA records of \(name)", metadata: ["found": "\(addresses)"])
                self.pushPullWithNewcomers(addresses)
            case .failure:
                self.logger.warning("discovery: cannot resolve \(name)", metadata: ["srv": "\(srvOutcome)"])
            }
        }
    }

    private func pushPullWithNewcomers(_ addresses: [SocketAddress]) {
        let active = Set(machine.value.members.filter { $0.state.isActive }.map(\.address))
        for address in addresses {
            guard let text = PeerAddress.text(address), text != identity.address, !active.contains(text) else {
                continue
            }
            startPushPull(machine.value.makePushPullPayload(), with: text)
        }
    }

    // MARK: Logging

    private func log(_ event: MembershipEvent) {
        let member = event.member
        let metadata: Logger.Metadata = [
            "member": "\(member.name)", "address": "\(member.address)", "incarnation": "\(member.incarnation)",
            "boot": "\(String(member.bootID, radix: 16))",
        ]
        switch event {
        case .memberAlive: logger.info("member alive", metadata: metadata)
        case .memberSuspect: logger.info("member suspect", metadata: metadata)
        case .memberDead: logger.warning("member dead", metadata: metadata)
        case .memberLeft: logger.info("member left", metadata: metadata)
        case .memberReplaced(let old, _):
            logger.info(
                "member restarted",
                metadata: metadata.merging(["previousBoot": "\(String(old.bootID, radix: 16))"]) { $1 }
            )
        case .memberRemoved: logger.info("member removed", metadata: metadata)
        }
    }
}

/// Hands socket input to the service once it exists: the channels are bound before the service is built,
/// because the service needs the bound port for its identity. Input before that is dropped.
private final class Inbox: Sendable {
    let service = NIOLockedValueBox<GossipService?>(nil)

    func peerLink(_ channel: any Channel) throws {
        guard let acceptor = service.withLockedValue({ $0 })?.peerLinkAcceptor.withLockedValue({ $0 }) else {
            throw ChannelError.inappropriateOperationForState
        }
        try acceptor(channel)
    }

    func datagram(_ bytes: [UInt8], from source: SocketAddress) {
        service.withLockedValue { $0 }?.receiveDatagram(bytes, from: source)
    }

    func pushPull(_ frame: [UInt8], from source: SocketAddress?, on eventLoop: any EventLoop) -> EventLoopFuture<
        [UInt8]?
    > {
        guard let service = service.withLockedValue({ $0 }) else { return eventLoop.makeSucceededFuture(nil) }
        return service.loop.submit { service.answerPushPull(frame, from: source) }
    }
}
