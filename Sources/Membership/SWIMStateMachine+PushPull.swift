/// Full-state exchange over TCP: anti-entropy, join, and partition healing.
extension SWIMStateMachine {
    /// This node's whole table, as sent in a push-pull.
    public func makePushPullPayload() -> PushPullPayload {
        PushPullPayload(
            clusterName: configuration.clusterName,
            senderName: identity.name,
            isJoin: !hasJoined,
            members: members.map { MemberUpdate($0) }
        )
    }

    /// A peer started a push-pull with this node: merge its table, then answer with ours (merged, so it already
    /// carries any refutation the peer's view provoked).
    public mutating func receivePushPull(_ payload: PushPullPayload, now: Duration) -> PushPullResponse {
        guard payload.clusterName == configuration.clusterName else {
            countIgnored(.wrongCluster)
            return PushPullResponse(reply: nil, directives: [])
        }
        var directives: [MembershipDirective] = []
        if hasLeft {
            countIgnored(.afterLeave)
        } else {
            merge(payload, now: now, into: &directives)
        }
        return PushPullResponse(reply: makePushPullPayload(), directives: directives)
    }

    /// The peer's answer to a push-pull this node started.
    public mutating func receivePushPullReply(_ payload: PushPullPayload, now: Duration) -> [MembershipDirective] {
        guard payload.clusterName == configuration.clusterName else {
            countIgnored(.wrongCluster)
            return []
        }
        guard !hasLeft else {
            countIgnored(.afterLeave)
            return []
        }
        var directives: [MembershipDirective] = []
        merge(payload, now: now, into: &directives)
        return directives
    }

    private mutating func merge(
        _ payload: PushPullPayload,
        now: Duration,
        into directives: inout [MembershipDirective]
    ) {
        for var update in payload.members {
            // One peer's belief that a member is dead is not proof: suspect it instead, giving it time to refute
            // (memberlist does the same). Claims about ourselves are refuted whatever their state.
            if update.state == .dead, update.identity.name != identity.name {
                update.state = .suspect
                update.reporter = payload.senderName
            }
            apply(update, now: now, into: &directives)
        }
    }

    /// The push-pull directive towards `address`.
    func pushPull(with address: String) -> MembershipDirective {
        .startPushPull(makePushPullPayload(), with: address)
    }
}
