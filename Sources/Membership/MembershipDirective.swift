/// What the state machine asks its shell to do. The shell switches over these and does nothing else of its own.
public enum MembershipDirective: Hashable, Sendable {
    /// Encode `message` with ``GossipCodec``, wrap it in the authentication envelope and send it by UDP to
    /// `address` (`host:port`). Fire and forget: loss is the protocol's business.
    case send(GossipMessage, to: String)
    /// Open a TCP connection to `address`, send `payload`, read the peer's payload back and hand it to
    /// ``SWIMStateMachine/receivePushPullReply(_:now:)``. A failed connection needs no report.
    case startPushPull(PushPullPayload, with: String)
    /// A member changed; for logs, metrics and routing.
    case notify(MembershipEvent)
}

/// A change in the local view of the cluster.
public enum MembershipEvent: Hashable, Sendable, CustomStringConvertible {
    /// First seen, or back from `suspect`/`dead`/`left` with a higher incarnation.
    case memberAlive(Member)
    /// Failed a probe (here or elsewhere); not yet declared dead.
    case memberSuspect(Member)
    /// Its suspicion timed out: a failure.
    case memberDead(Member)
    /// Left gracefully: not a failure.
    case memberLeft(Member)
    /// A new boot of the same name took over the entry; followed by the event for the new boot's state.
    case memberReplaced(old: Member, new: Member)
    /// A dead or left member forgotten after ``MembershipConfiguration/deadMemberRetention``.
    case memberRemoved(Member)

    /// The member the event is about (the new boot for a replacement).
    public var member: Member {
        switch self {
        case .memberAlive(let member), .memberSuspect(let member), .memberDead(let member), .memberLeft(let member),
            .memberRemoved(let member):
            member
        case .memberReplaced(_, let new):
            new
        }
    }

    public var description: String {
        switch self {
        case .memberAlive(let member): "alive \(member)"
        case .memberSuspect(let member): "suspect \(member)"
        case .memberDead(let member): "dead \(member)"
        case .memberLeft(let member): "left \(member)"
        case .memberReplaced(let old, let new): "replaced \(old) by \(new)"
        case .memberRemoved(let member): "removed \(member)"
        }
    }
}

/// The answer to a push-pull the peer started: the payload to send back, and what the merge changed.
public struct PushPullResponse: Hashable, Sendable {
    /// `nil` when the payload came from another cluster: close the connection without answering.
    public var reply: PushPullPayload?
    public var directives: [MembershipDirective]
}

/// Why an input was dropped without effect; counted in ``SWIMStateMachine/ignoredInputs``.
public enum IgnoredInputReason: Hashable, Sendable, CaseIterable {
    /// Another cluster's message or push-pull.
    case wrongCluster
    /// A ping for a different name or boot than this one.
    case pingForAnotherNode
    /// An ack or nack for a probe that is over or was never sent.
    case unknownSequence
    /// The node has left and no longer takes part.
    case afterLeave
}
