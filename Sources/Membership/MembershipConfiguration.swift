/// The knobs of SWIM and Lifeguard, with defaults for a LAN (they follow hashicorp memberlist's LAN profile where
/// both have one). cluster/PROTOCOL.md lists them with the reasoning.
public struct MembershipConfiguration: Hashable, Sendable {
    /// Carried in every gossip message and push-pull; a message from another cluster is ignored, so two clusters
    /// that happen to share a secret and a network do not merge.
    public var clusterName: String

    /// T′ in SWIM: one member is probed per period. Scaled by the local health multiplier.
    public var protocolPeriod: Duration = .seconds(1)
    /// How long to wait for the direct ack before asking others to probe. Scaled by the local health multiplier.
    public var probeTimeout: Duration = .milliseconds(500)
    /// k in SWIM: how many members are asked to probe indirectly.
    public var indirectProbeCount: Int = 3
    /// A relay sends a nack when the target has not acked within this fraction of the probe timeout, so the nack
    /// reaches the prober before its period ends (Lifeguard §4.3).
    public var nackDelayFraction: Double = 0.8

    /// α in Lifeguard: the minimum suspicion timeout is α·max(1, log10 N)·protocolPeriod.
    public var suspicionAlpha: Double = 4
    /// β in Lifeguard: the maximum suspicion timeout is β times the minimum.
    public var suspicionBeta: Double = 6
    /// K in Lifeguard: how many independent suspicions shrink the timeout from the maximum to the minimum. When the
    /// cluster has fewer than K + 2 members no one else can confirm, and the minimum applies at once.
    public var suspicionConfirmations: Int = 3

    /// λ in SWIM: every update is piggybacked λ·ceil(log10(N + 1)) times before it is dropped.
    public var retransmitMultiplier: Int = 4
    /// The largest gossip message the state machine builds (before the shell's authentication envelope); piggybacked
    /// updates fill what the probe leaves. 1,400 keeps a datagram inside a 1,500-byte Ethernet MTU.
    public var maxGossipMessageSize: Int = 1_400

    /// How often the full state is exchanged with one random member over TCP, repairing whatever gossip lost.
    public var pushPullInterval: Duration = .seconds(30)
    /// How often a node re-contacts one seed or recently dead member (push-pull), so the halves of a healed
    /// partition, which each believe the other dead and so never probe it, find each other again.
    public var reconnectInterval: Duration = .seconds(30)
    /// While a node has no other alive member, it retries every seed this often.
    public var joinRetryInterval: Duration = .seconds(1)
    /// How long a dead or left member stays in the table (gossiped in push-pulls and used for reconnects) before it
    /// is forgotten. One hour lets a partition of up to an hour heal through dead-member reconnects alone; seeds
    /// cover longer ones.
    public var deadMemberRetention: Duration = .seconds(3_600)

    /// Lifeguard's local health multiplier saturates here: probe period and timeout grow by at most a factor of
    /// `maxLocalHealth + 1`.
    public var maxLocalHealth: Int = 8

    public init(clusterName: String) {
        self.clusterName = clusterName
    }

    /// The minimum suspicion timeout for a cluster of `clusterSize` active members.
    public func minimumSuspicionTimeout(clusterSize: Int) -> Duration {
        let scale = max(1, Logarithm.base10(Double(max(1, clusterSize))))
        return protocolPeriod * (suspicionAlpha * scale)
    }

    /// The maximum suspicion timeout for a cluster of `clusterSize` active members: what a suspicion takes when no
    /// one else confirms it.
    public func maximumSuspicionTimeout(clusterSize: Int) -> Duration {
        minimumSuspicionTimeout(clusterSize: clusterSize) * suspicionBeta
    }

    /// How many times each update is piggybacked in a cluster of `clusterSize` active members.
    public func retransmitLimit(clusterSize: Int) -> Int {
        retransmitMultiplier * Int(Logarithm.base10(Double(clusterSize + 1)).rounded(.up))
    }

    /// An upper bound on the time from a member's crash until every other member has declared it dead, with
    /// healthy observers and a lossless network: up to two periods until someone probes it and the probe fails, the
    /// maximum suspicion timeout, and then one period per piggyback retransmission for the `dead` to spread.
    public func failureDetectionBound(clusterSize: Int) -> Duration {
        protocolPeriod * 2 + maximumSuspicionTimeout(clusterSize: clusterSize)
            + protocolPeriod * retransmitLimit(clusterSize: clusterSize)
    }
}
