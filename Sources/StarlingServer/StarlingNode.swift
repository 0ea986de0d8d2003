import Broker
import Cluster
import Logging
import Membership
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Transport

/// One running Starling node: an event loop group, the broker and its listeners.
/// Integration tests start nodes directly through this type.
public final class StarlingNode: Sendable {
    public struct Options: Sendable {
        public var settings = BrokerSettings()
        public var sharedSubscriptionStrategy = SharedSubscriptionStrategy.roundRobin
        public var tcpHost = "0.0.0.0"
        public var tcpPort = 1883
        /// How long a TCP connection is quiet before it gives up its channel (`listeners.tcp.park_after`).
        public var parkAfter = TimeAmount.seconds(1)
        public var eventLoopCount = UsableProcessors.count
        /// How the node is named in logs and to its peers.
        public var nodeName = "local"
        /// Gossip and peer links; nil runs a single node.
        public var cluster: GossipSettings?

        public init() {}
    }

    public let broker: Broker
    public let tcpListener: TCPListener
    /// Membership, when the node is clustered.
    public let gossip: GossipService?
    /// Routing between nodes, when the node is clustered.
    public let router: ClusterRouter?
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    /// The one shutdown in progress or done: a second caller waits for it instead of stopping the loops twice.
    private let shutdownTask = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let drainStarted = NIOLockedValueBox(false)
    /// Yields once when an operator asks for a drain (`POST /api/v1/drain`).
    let drainRequests = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    private init(
        broker: Broker,
        tcpListener: TCPListener,
        gossip: GossipService?,
        router: ClusterRouter?,
        group: MultiThreadedEventLoopGroup,
        logger: Logger
    ) {
        self.broker = broker
        self.tcpListener = tcpListener
        self.gossip = gossip
        self.router = router
        self.group = group
        self.logger = logger
    }

    /// Starts the node and logs `listening mqtt tcp HOST:PORT` once the socket is bound.
    public static func start(options: Options, logger: Logger) async throws -> StarlingNode {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, options.eventLoopCount))
        let loops = Array(group.makeIterator())
        let broker = Broker(
            settings: options.settings,
            eventLoops: loops,
            sharedSubscriptionStrategy: options.sharedSubscriptionStrategy,
            nodeName: options.cluster?.nodeName ?? options.nodeName,
            logger: logger
        )
        var gossip: GossipService?
        var router: ClusterRouter?
        do {
            if let settings = options.cluster {
                // The cluster comes up before the listener, so routes are announced from the first subscription.
                let service = try await GossipService.bind(settings: settings, group: group, logger: logger)
                gossip = service
                let clusterRouter = ClusterRouter(
                    broker: broker,
                    identity: service.identity,
                    clusterName: settings.membership.clusterName,
                    secret: settings.secret,
                    loop: service.eventLoop,
                    limits: ClusterRouter.Limits(
                        replayCapacity: settings.replayBufferSize,
                        replayMaximumAge: TimeAmount(settings.replayBufferAge),
                        retainedTombstones: RetainedTombstonePolicy(
                            maximumAge: settings.retainedTombstoneTTL,
                            maximumCount: settings.maximumRetainedTombstones
                        )
                    ),
                    logger: logger
                )
                router = clusterRouter
                broker.attach(cluster: clusterRouter)
                service.acceptPeerLinks { channel in try clusterRouter.configure(channel) }
                service.observe { event in clusterRouter.membershipChanged(event) }
                await service.begin()
            }
            let listener = try await TCPListener.bind(
                host: options.tcpHost,
                port: options.tcpPort,
                broker: broker,
                logger: logger,
                parkAfter: options.parkAfter
            )
            logger.info("listening mqtt tcp \(listener.localAddress.hostPort)")
            router?.announceMQTTListener(port: listener.localAddress.port ?? options.tcpPort)
            return StarlingNode(
                broker: broker,
                tcpListener: listener,
                gossip: gossip,
                router: router,
                group: group,
                logger: logger
            )
        } catch {
            await router?.close()
            await gossip?.stop()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// The bound MQTT TCP port (useful with port 0).
    public var tcpPort: Int { tcpListener.localAddress.port ?? 0 }

    /// Disconnects every client (5.0: DISCONNECT 0x8B) and stops the event loops.
    /// Stops as a crash would: no leave, no DISCONNECT, sockets just close. For tests of failures.
    public func kill() async {
        await gossip?.stop()
        await router?.close()
        await tcpListener.abort()
        await shutdown()
    }

    /// Leaves the cluster without losing a session: stops accepting connections, moves every session to an
    /// alive member (clients are told to use another server: 5.0 DISCONNECT 0x9C with a Server Reference),
    /// waits until the new holders' routes are everywhere, then leaves the membership and stops. Without a
    /// cluster, or with no alive member, it is ``shutdown()``. Safe to call more than once.
    public func drain() async {
        let first = drainStarted.withLockedValue { started in
            defer { started = true }
            return !started
        }
        if first, let router {
            logger.info("draining", metadata: ["connections": "\(tcpListener.connectionCount)"])
            await tcpListener.stopAccepting()
            _ = await router.drain(mqttPort: tcpPort)
        }
        await shutdown()
    }

    /// Asks the running service to drain this node and exit (what `starling ctl drain` does).
    public func requestDrain() {
        drainRequests.continuation.yield()
    }

    /// Safe to call more than once: later calls wait for the first to finish.
    public func shutdown() async {
        let task = shutdownTask.withLockedValue { task in
            if let task { return task }
            let started = Task { [tcpListener, group, logger, gossip, router] in
                logger.info("shutting down", metadata: ["connections": "\(tcpListener.connectionCount)"])
                // Leave first, so peers learn at once that this is not a failure.
                await gossip?.leave()
                await router?.close()
                await tcpListener.shutdown()
                // Closed connections hand their sessions work to other loops; let those hops land
                // (two rounds: a hop may batch one more) before the loops stop.
                for _ in 0..<2 {
                    for loop in group.makeIterator() { try? await loop.submit {}.get() }
                }
                try? await group.shutdownGracefully()
                logger.info("stopped")
            }
            task = started
            return started
        }
        await task.value
    }
}

extension SocketAddress {
    /// `HOST:PORT`, with IPv6 hosts in brackets.
    var hostPort: String {
        let host = ipAddress ?? "?"
        let port = port ?? 0
        if case .v6 = self { return "[\(host)]:\(port)" }
        return "\(host):\(port)"
    }
}
