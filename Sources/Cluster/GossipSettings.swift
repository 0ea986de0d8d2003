import Membership

/// What the gossip service needs to run: who this node is, where it listens, whom to join.
public struct GossipSettings: Sendable {
    public var nodeName: String
    /// Address to bind UDP and TCP to; port 0 picks a free port for both.
    public var listenHost: String
    public var listenPort: Int
    /// `host:port` peers should use; nil derives it from the bound address.
    public var advertise: String?
    public var seeds: [String]
    public var secret: String
    /// A name whose SRV records (else A/AAAA records, with the cluster port) are seeds, re-resolved every
    /// `discoveryInterval`.
    public var discoveryDNS: String?
    public var discoveryInterval: Duration
    public var membership: MembershipConfiguration
    /// Unacknowledged QoS 1/2 forwards kept per peer for replay after a link drop.
    public var replayBufferSize = 100_000
    /// Forwards older than this are not replayed.
    public var replayBufferAge: Duration = .seconds(30)
    /// How long a tombstone of a cleared retained message is kept.
    public var retainedTombstoneTTL: Duration = .seconds(86_400)
    /// Tombstones kept at most; past this the oldest are dropped.
    public var maximumRetainedTombstones = 100_000

    public init(
        nodeName: String,
        clusterName: String = "starling",
        listenHost: String = "0.0.0.0",
        listenPort: Int = 7946,
        advertise: String? = nil,
        seeds: [String] = [],
        secret: String = "",
        discoveryDNS: String? = nil,
        discoveryInterval: Duration = .seconds(30)
    ) {
        self.nodeName = nodeName
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.advertise = advertise
        self.seeds = seeds
        self.secret = secret
        self.discoveryDNS = discoveryDNS
        self.discoveryInterval = discoveryInterval
        self.membership = MembershipConfiguration(clusterName: clusterName)
    }
}
