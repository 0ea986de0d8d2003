/// What the local node believes about one member.
///
/// The states are ordered by how much they override at the same incarnation: `alive < suspect < dead < left`.
/// Only the member itself can leave `suspect`, `dead` or `left` behind, by announcing a higher incarnation.
public enum MemberState: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Answering probes, or not yet suspected of failing to.
    case alive = 0
    /// Failed a probe; declared dead when the suspicion times out unless it refutes first.
    case suspect = 1
    /// Its suspicion timed out. Kept for ``MembershipConfiguration/deadMemberRetention`` so a healed partition can
    /// find it again, then removed.
    case dead = 2
    /// Left on purpose. Outranks `dead` so a graceful departure is never reported as a failure.
    case left = 3

    /// Whether the member still counts towards the cluster size and is probed.
    public var isActive: Bool {
        self == .alive || self == .suspect
    }

    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        case .left: "left"
        }
    }
}

/// One row of the membership snapshot.
public struct Member: Hashable, Sendable, CustomStringConvertible {
    public var identity: NodeIdentity
    public var state: MemberState
    /// Raised only by the member itself: to refute a suspicion, to leave, or to outrank a previous boot.
    public var incarnation: UInt64

    public init(identity: NodeIdentity, state: MemberState, incarnation: UInt64) {
        self.identity = identity
        self.state = state
        self.incarnation = incarnation
    }

    public var name: String { identity.name }
    public var address: String { identity.address }
    public var bootID: UInt64 { identity.bootID }

    public var description: String {
        "\(identity) \(state) inc=\(incarnation)"
    }
}
