import Foundation
import Logging

/// Everything a node reads at start-up. The defaults give a working single node, so a node runs
/// with no file at all; `docs/configuration.md` describes every key and `load(…)` reads them.
public struct StarlingConfiguration: Sendable, Equatable {
    public var node: Node
    public var log: Log
    public var listeners: Listeners
    public var mqtt: MQTT
    public var cluster: Cluster
    public var admin: Admin

    public init(
        node: Node = Node(),
        log: Log = Log(),
        listeners: Listeners = Listeners(),
        mqtt: MQTT = MQTT(),
        cluster: Cluster = Cluster(),
        admin: Admin = Admin()
    ) {
        self.node = node
        self.log = log
        self.listeners = listeners
        self.mqtt = mqtt
        self.cluster = cluster
        self.admin = admin
    }

    /// `[node]`
    public struct Node: Sendable, Equatable {
        /// `node.name`: how this node is known in logs and (later) to its peers.
        public var name: String
        /// `node.data_dir`: where sessions and retained messages are stored.
        public var dataDirectory: String
        /// `node.event_loops`: threads serving connections; 0 is one per CPU the process may run on.
        public var eventLoops: Int

        public init(name: String = Node.defaultName, dataDirectory: String = "./data", eventLoops: Int = 0) {
            self.name = name
            self.dataDirectory = dataDirectory
            self.eventLoops = eventLoops
        }

        /// The host name, so that nodes on different hosts differ without any configuration.
        public static var defaultName: String { ProcessInfo.processInfo.hostName }
    }

    /// `[log]`
    public struct Log: Sendable, Equatable {
        /// `log.level`: the least severe level that is written.
        public var level: Logger.Level

        public init(level: Logger.Level = .info) {
            self.level = level
        }
    }

    /// `[listeners]`
    public struct Listeners: Sendable, Equatable {
        public var tcp: TCP

        public init(tcp: TCP = TCP()) {
            self.tcp = tcp
        }

        /// `[listeners.tcp]`: plain MQTT over TCP.
        public struct TCP: Sendable, Equatable {
            /// `listeners.tcp.bind`: address and port to listen on; port 0 picks a free port.
            public var bind: HostPort
            /// `listeners.tcp.enabled`
            public var enabled: Bool
            /// `listeners.tcp.park_after`: how long a connection is quiet before it gives up its
            /// event loop channel and waits in the parking lot.
            public var parkAfter: Duration

            public init(
                bind: HostPort = HostPort(host: "0.0.0.0", port: 1883),
                enabled: Bool = true,
                parkAfter: Duration = .seconds(1)
            ) {
                self.bind = bind
                self.enabled = enabled
                self.parkAfter = parkAfter
            }
        }
    }

    /// `[mqtt]`: the limits and features the broker offers its clients.
    public struct MQTT: Sendable, Equatable {
        /// `mqtt.max_packet_size`: largest packet accepted, in bytes (announced as Maximum Packet Size).
        public var maxPacketSize: Int = 1 << 20
        /// `mqtt.receive_maximum`: inbound QoS 1/2 publishes a client may leave unacknowledged.
        public var receiveMaximum: Int = 1024
        /// `mqtt.max_inflight`: cap on the outbound window; the client's own Receive Maximum also applies.
        public var maxInflight: Int = 1024
        /// `mqtt.max_keep_alive`: clients asking for more (or for none) get this as Server Keep Alive.
        public var maxKeepAlive: Duration = .seconds(65535)
        /// `mqtt.topic_alias_maximum`: topic aliases a client may define towards the broker.
        public var topicAliasMaximum: Int = 64
        /// `mqtt.max_session_expiry`: cap on the session expiry interval a client may ask for.
        public var maxSessionExpiry: Duration = .seconds(86_400)
        /// `mqtt.max_queued_messages`: messages kept per session while it is offline or its window is full.
        public var maxQueuedMessages: Int = 1000
        /// `mqtt.queue_full_policy`
        public var queueFullPolicy: QueueFullPolicy = .dropOldest
        /// `mqtt.max_qos`: 0, 1 or 2.
        public var maxQoS: Int = 2
        /// `mqtt.retain_available`
        public var retainAvailable: Bool = true
        /// `mqtt.wildcard_subscriptions`
        public var wildcardSubscriptions: Bool = true
        /// `mqtt.shared_subscriptions`
        public var sharedSubscriptions: Bool = true
        /// `mqtt.subscription_identifiers`
        public var subscriptionIdentifiers: Bool = true
        /// `mqtt.max_topic_levels`: levels allowed in a topic name or filter.
        public var maxTopicLevels: Int = 128
        /// `mqtt.max_client_id_length`: in bytes of UTF-8.
        public var maxClientIDLength: Int = 65535
        /// `mqtt.shared_subscription_strategy`: how one member of a `$share` group is picked.
        public var sharedSubscriptionStrategy: SharedSubscriptionStrategy = .roundRobin
        /// `mqtt.connect_timeout`: time allowed between accepting a connection and receiving its CONNECT.
        public var connectTimeout: Duration = .seconds(10)
        /// `mqtt.max_retained_messages`: retained messages kept by the node.
        public var maxRetainedMessages: Int = 1_000_000

        public init() {}
    }

    /// `mqtt.queue_full_policy`: what happens when a session's queue is full and another message arrives.
    public enum QueueFullPolicy: String, Sendable, Equatable, CaseIterable {
        /// Drop the oldest queued message to make room for the new one.
        case dropOldest = "drop_oldest"
        /// Keep the queue as it is and drop the new message.
        case dropNewest = "drop_newest"
    }

    /// `mqtt.shared_subscription_strategy`
    public enum SharedSubscriptionStrategy: String, Sendable, Equatable, CaseIterable {
        case random = "random"
        case roundRobin = "round_robin"
        /// Keep sending to the member picked first while it stays subscribed.
        case sticky = "sticky"
        /// The same client id always goes to the same member.
        case hashClientID = "hash_clientid"
        /// The same topic always goes to the same member.
        case hashTopic = "hash_topic"
        /// Prefer members connected to this node, then any member.
        case localFirst = "local_first"
    }

    /// `[cluster]`: how this node finds and talks to the other nodes.
    public struct Cluster: Sendable, Equatable {
        /// `cluster.enabled`: whether the node gossips at all; off, it is a single node.
        public var enabled = true
        /// `cluster.name`: nodes of other clusters are ignored, so two clusters can share a network.
        public var name = "starling"
        /// `cluster.listen`: gossip over UDP and state exchange over TCP, on the same port.
        public var listen = HostPort(host: "0.0.0.0", port: 7946)
        /// `cluster.advertise`: the address peers should use, when it is not the bound one (NAT, Kubernetes).
        public var advertise: HostPort?
        /// `cluster.seeds`: nodes to join through; retried until one answers.
        public var seeds: [HostPort] = []
        /// `cluster.secret`: shared by every node; authenticates each gossip message.
        public var secret = ""
        /// `cluster.discovery_dns`: a name whose A/AAAA or SRV records are the seeds (a headless Service).
        public var discoveryDNS = ""
        /// `cluster.discovery_interval`: how often seeds are resolved and re-contacted.
        public var discoveryInterval: Duration = .seconds(30)
        /// `cluster.replay_buffer_size`: unacknowledged QoS 1/2 forwards kept per peer to replay after a link drop.
        public var replayBufferSize = 100_000
        /// `cluster.replay_buffer_age`: forwards older than this are not replayed.
        public var replayBufferAge: Duration = .seconds(30)
        /// `cluster.retained_tombstone_ttl`: how long a cleared retained message is remembered, so that an
        /// older copy held by a node that missed the clear cannot bring it back.
        public var retainedTombstoneTTL: Duration = .seconds(86_400)

        public init() {}
    }

    /// `[admin]`: the HTTP admin API.
    public struct Admin: Sendable, Equatable {
        /// `admin.enabled`
        public var enabled = true
        /// `admin.listen`
        public var listen = HostPort(host: "0.0.0.0", port: 18083)

        public init() {}
    }
}
