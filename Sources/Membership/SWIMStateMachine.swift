/// The membership protocol of a Starling node: SWIM with the Lifeguard refinements, as a pure value.
///
/// ## Design
/// The state machine does no I/O and reads no clock. The shell feeds it what happened — a decoded gossip message
/// (``receive(_:from:now:)``), a push-pull payload (``receivePushPull(_:now:)``, ``receivePushPullReply(_:now:)``),
/// the passage of time (``tick(now:)``, due at ``nextDeadline``), a decision to leave (``leave(now:)``) — and
/// carries out the ``MembershipDirective``s it returns. `now` is a `Duration` since any fixed origin the shell
/// chooses. All randomness comes from a generator seeded once from the one passed to the initializer, so a
/// simulation replays exactly.
///
/// ## Papers
/// - A. Das, I. Gupta, A. Motivala, "SWIM: Scalable Weakly-consistent Infection-style Process Group Membership
///   Protocol", DSN 2002: probe one member per protocol period (§3.1), ask k others to probe it on timeout,
///   suspect before declaring dead (§4.2), incarnation numbers to refute, round-robin probe order (§4.3), and
///   piggybacked dissemination (§4.1).
/// - A. Dadgar, J. Phillips, J. Currey, "Lifeguard: Local Health Awareness for More Accurate Failure Detection",
///   2018: the local health multiplier (§4.1, ``LocalHealth``), suspicion timeouts that shrink with independent
///   confirmations (§4.2, ``Suspicion``), and nacks from relays (§4.3).
///
/// ## Deviations and additions
/// - The round-robin order is reshuffled at the end of each round and a new member is inserted at a random
///   position (as memberlist does).
/// - A full-state push-pull over TCP (memberlist's anti-entropy) runs every ``MembershipConfiguration/pushPullInterval``,
///   on join, and on reconnect. In a received full state a `dead` entry is taken only as a `suspect` reported by
///   the sender: one node's stale view cannot kill a live member, which has time to refute.
/// - Partition healing: members that think each other dead never probe each other, so every
///   ``MembershipConfiguration/reconnectInterval`` a node push-pulls with one seed or recently dead member
///   (serf's reconnect). A node with no other alive member retries every seed each
///   ``MembershipConfiguration/joinRetryInterval``.
/// - Identity is a name plus a boot id. Claims about one name are totally ordered (``MemberUpdate/supersedes(_:)``);
///   a node that hears of another boot under its own name at an incarnation at least its own announces itself one
///   higher, so a restarted node replaces its previous life even where that life was suspect or dead. Two live
///   processes under one name would keep outbidding each other: names must be unique.
/// - A graceful leave is the `left` state, which outranks `dead`. It is sent straight to every active member and
///   piggybacked with priority, and it is never reported as a failure.
public struct SWIMStateMachine: Sendable {
    public let configuration: MembershipConfiguration
    /// This node.
    public let identity: NodeIdentity
    /// Addresses contacted to join and to heal partitions; this node's own address is left out.
    public let seeds: [String]

    var records: [String: MemberRecord] = [:]
    var health: LocalHealth
    var dissemination = Dissemination()
    var random: MembershipRandom
    var lastSequence: UInt32 = 0
    var probe: ProbeInProgress?
    var probeOrder: [String] = []
    var probeIndex = 0
    var relays: [UInt32: RelayedProbe] = [:]
    var timers = Timers()
    /// Names of the members currently suspect, so timers are checked without walking the whole table.
    var suspects: Set<String> = []
    /// Alive and suspect members, this node included: N in every formula.
    var activeCount = 1
    /// Alive members other than this node: zero means not (or no longer) joined.
    var aliveOthersCount = 0
    /// Whether ``leave(now:)`` was called.
    public internal(set) var hasLeft = false
    /// Inputs dropped without effect, by reason.
    public internal(set) var ignoredInputs: [IgnoredInputReason: Int] = [:]

    /// Creates the state machine of a node that has just started.
    ///
    /// - Parameters:
    ///   - seeds: `host:port` addresses to join through. May include this node's own address, which is skipped.
    ///   - random: seeds the machine's own generator; a system generator in production, a seeded one in tests.
    /// - Throws: when the cluster name, node name or address does not fit the wire format (1…255 bytes).
    public init(
        configuration: MembershipConfiguration,
        identity: NodeIdentity,
        seeds: [String],
        random: inout some RandomNumberGenerator
    ) throws(GossipCodecError) {
        for string in [configuration.clusterName, identity.name, identity.address] {
            guard GossipCodec.isEncodable(string) else {
                throw string.isEmpty ? .emptyString : .stringTooLong(string.utf8.count)
            }
        }
        self.configuration = configuration
        self.identity = identity
        var uniqueSeeds: [String] = []
        for seed in seeds where seed != identity.address && !uniqueSeeds.contains(seed) {
            uniqueSeeds.append(seed)
        }
        self.seeds = uniqueSeeds
        self.health = LocalHealth(maximum: configuration.maxLocalHealth)
        self.random = MembershipRandom(seed: random.next())
        let local = Member(identity: identity, state: .alive, incarnation: 0)
        records[identity.name] = MemberRecord(member: local, changedAt: .zero, suspicion: nil)
    }

    /// Every known member, this node included, dead and left ones until they are reaped; sorted by name.
    public var members: [Member] {
        records.values.map(\.member).sorted { $0.name < $1.name }
    }

    /// What this node currently is to the cluster.
    public var localMember: Member {
        records[identity.name]!.member
    }

    public func member(named name: String) -> Member? {
        records[name]?.member
    }

    /// Whether at least one other member is alive; until then the seeds are retried.
    public var hasJoined: Bool {
        aliveOthersCount > 0
    }

    /// Lifeguard's local health score, 0…``MembershipConfiguration/maxLocalHealth``; the probe period and timeout
    /// are multiplied by one more than it.
    public var localHealthScore: Int {
        health.score
    }

    /// Alive and suspect members, this node included.
    public var clusterSize: Int {
        activeCount
    }

    /// Updates waiting to be piggybacked.
    public var pendingUpdateCount: Int {
        dissemination.count
    }

    var incarnation: UInt64 {
        records[identity.name]!.member.incarnation
    }

    mutating func nextSequence() -> UInt32 {
        lastSequence &+= 1
        return lastSequence
    }

    mutating func countIgnored(_ reason: IgnoredInputReason) {
        ignoredInputs[reason, default: 0] += 1
    }
}
