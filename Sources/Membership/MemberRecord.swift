/// A row of the membership table: the member, when its state last changed (for reaping), and its suspicion timer
/// while it is suspect.
struct MemberRecord: Hashable, Sendable {
    var member: Member
    var changedAt: Duration
    var suspicion: Suspicion?
}

/// The probe of the current protocol period (SWIM §3.1).
struct ProbeInProgress: Hashable, Sendable {
    var target: NodeIdentity
    var sequence: UInt32
    /// When the direct ack is overdue and the indirect probes go out.
    var directDeadline: Duration
    /// When the probe fails unless an ack, direct or relayed, has arrived.
    var periodEnd: Duration
    var indirectProbesSent = false
    /// How many relays were asked; each should send an ack or a nack (Lifeguard §4.3).
    var expectedNacks = 0
    var nacksReceived = 0
}

/// A ping this node sends on another's behalf after a ping-req.
struct RelayedProbe: Hashable, Sendable {
    var originAddress: String
    var originSequence: UInt32
    var wantsNack: Bool
    /// When the relay gives up on the target and, if asked, tells the origin with a nack.
    var nackAt: Duration
}

/// When each periodic duty is next due. All start on the first tick, jittered so nodes started together do not
/// act in lockstep.
struct Timers: Hashable, Sendable {
    var started = false
    var nextProbe: Duration = .zero
    var nextPushPull: Duration = .zero
    var nextReconnect: Duration = .zero
    var nextJoinAttempt: Duration = .zero
    var nextReap: Duration = .zero
}
