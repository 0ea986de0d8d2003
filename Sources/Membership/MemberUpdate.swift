/// A claim about one member, as gossip carries it: piggybacked on probes, or one row of a push-pull.
///
/// Claims about the same name form a total order (``supersedes(_:)``), so every node that has seen the same claims
/// agrees on the outcome, whatever order they arrived in.
public struct MemberUpdate: Hashable, Sendable, CustomStringConvertible {
    public var identity: NodeIdentity
    public var state: MemberState
    public var incarnation: UInt64
    /// For `suspect`, the node that suspects, so independent suspicions can be counted (Lifeguard §4.2). For
    /// `dead`, the node that declared it. `nil` otherwise.
    public var reporter: String?

    public init(identity: NodeIdentity, state: MemberState, incarnation: UInt64, reporter: String? = nil) {
        self.identity = identity
        self.state = state
        self.incarnation = incarnation
        self.reporter = reporter
    }

    public init(_ member: Member, reporter: String? = nil) {
        self.init(identity: member.identity, state: member.state, incarnation: member.incarnation, reporter: reporter)
    }

    public var member: Member {
        Member(identity: identity, state: state, incarnation: incarnation)
    }

    /// Whether this claim overrides what is known as `current` about the same name.
    ///
    /// Higher incarnation wins; at equal incarnation the state that overrides more wins (`alive < suspect < dead <
    /// left`, SWIM §4.2); a claim about another boot at equal incarnation and state is decided by the larger boot id.
    /// The last rule only breaks ties deterministically: the new boot then announces an incarnation above the old
    /// one (see ``SWIMStateMachine``), so in practice a restart always wins on incarnation.
    public func supersedes(_ current: Member) -> Bool {
        if incarnation != current.incarnation { return incarnation > current.incarnation }
        if state != current.state { return state.rawValue > current.state.rawValue }
        return identity.bootID > current.identity.bootID
    }

    public var description: String {
        if let reporter { return "\(identity) \(state) inc=\(incarnation) by \(reporter)" }
        return "\(identity) \(state) inc=\(incarnation)"
    }
}
