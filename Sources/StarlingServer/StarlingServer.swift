import Admin
import Broker
import Cluster
import Foundation
import Logging
import MQTTCodec
import Membership
import NIOCore
import NIOPosix
import ServiceLifecycle
import StarlingConfiguration
import UnixSignals

/// Runs a node from its configuration until SIGTERM or SIGINT.
public enum StarlingServer {
    public static func serve(configuration: StarlingConfiguration, logger: Logger) async throws {
        var logger = logger
        logger[metadataKey: "node"] = "\(configuration.node.name)"
        try FileManager.default.createDirectory(
            atPath: configuration.node.dataDirectory,
            withIntermediateDirectories: true
        )
        let node = try await StarlingNode.start(options: StarlingNode.Options(configuration), logger: logger)
        var admin: AdminServer?
        if configuration.admin.enabled {
            do {
                admin = try await AdminServer.bind(
                    host: configuration.admin.listen.host,
                    port: configuration.admin.listen.port,
                    routes: AdminRoutes.make(node: node, nodeName: configuration.node.name),
                    group: MultiThreadedEventLoopGroup.singleton,
                    logger: logger
                )
            } catch {
                await node.shutdown()
                throw error
            }
        }
        let service = NodeService(node: node, admin: admin)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // The service returns after a drain that `starling ctl drain` asked for: a normal end.
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// Keeps the node running until SIGTERM/SIGINT or a drain request, then drains it (sessions move to
/// other members, see ``StarlingNode/drain()``) and stops.
struct NodeService: Service {
    let node: StarlingNode
    let admin: AdminServer?

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await gracefulShutdown() }
            group.addTask {
                for await _ in node.drainRequests.stream { return }
            }
            await group.next()
            group.cancelAll()
        }
        await node.drain()
        await admin?.close()
    }
}

extension GossipSettings {
    /// The gossip settings a configuration asks for.
    public init(_ configuration: StarlingConfiguration) {
        let cluster = configuration.cluster
        self.init(
            nodeName: configuration.node.name,
            clusterName: cluster.name,
            listenHost: cluster.listen.host,
            listenPort: cluster.listen.port,
            advertise: cluster.advertise?.description,
            seeds: cluster.seeds.map(\.description),
            secret: cluster.secret,
            discoveryDNS: cluster.discoveryDNS.isEmpty ? nil : cluster.discoveryDNS,
            discoveryInterval: cluster.discoveryInterval
        )
        membership.reconnectInterval = cluster.discoveryInterval
        replayBufferSize = cluster.replayBufferSize
        replayBufferAge = cluster.replayBufferAge
        retainedTombstoneTTL = cluster.retainedTombstoneTTL
    }
}

extension StarlingNode.Options {
    /// The node options a configuration asks for.
    public init(_ configuration: StarlingConfiguration) {
        self.init()
        let mqtt = configuration.mqtt
        var settings = BrokerSettings()
        settings.maximumPacketSize = mqtt.maxPacketSize
        settings.receiveMaximum = UInt16(clamping: mqtt.receiveMaximum)
        settings.maximumInflight = UInt16(clamping: mqtt.maxInflight)
        settings.maximumKeepAlive = UInt16(clamping: mqtt.maxKeepAlive.components.seconds)
        settings.topicAliasMaximum = UInt16(clamping: mqtt.topicAliasMaximum)
        settings.maximumSessionExpiry = UInt32(clamping: mqtt.maxSessionExpiry.components.seconds)
        settings.maximumQueuedMessages = mqtt.maxQueuedMessages
        settings.queueFullPolicy = mqtt.queueFullPolicy == .dropOldest ? .dropOldest : .dropNewest
        settings.maximumQoS = QoS(rawValue: UInt8(clamping: mqtt.maxQoS)) ?? .exactlyOnce
        settings.retainAvailable = mqtt.retainAvailable
        settings.wildcardSubscriptionsAvailable = mqtt.wildcardSubscriptions
        settings.sharedSubscriptionsAvailable = mqtt.sharedSubscriptions
        settings.subscriptionIdentifiersAvailable = mqtt.subscriptionIdentifiers
        settings.maximumTopicLevels = mqtt.maxTopicLevels
        settings.maximumClientIDLength = mqtt.maxClientIDLength
        settings.maximumRetainedMessages = mqtt.maxRetainedMessages
        settings.connectTimeout = mqtt.connectTimeout
        self.settings = settings
        self.sharedSubscriptionStrategy =
            SharedSubscriptionStrategy(rawValue: mqtt.sharedSubscriptionStrategy.rawValue) ?? .roundRobin
        self.tcpHost = configuration.listeners.tcp.bind.host
        self.tcpPort = configuration.listeners.tcp.bind.port
        self.parkAfter = TimeAmount(configuration.listeners.tcp.parkAfter)
        self.nodeName = configuration.node.name
        if configuration.node.eventLoops > 0 { self.eventLoopCount = configuration.node.eventLoops }
        self.cluster = configuration.cluster.enabled ? GossipSettings(configuration) : nil
    }
}
