/// Handling gossip messages.
extension SWIMStateMachine {
    /// Handles one decoded gossip message that arrived from the UDP address `address` (`host:port`).
    ///
    /// Replies go to `address`, so a member can answer a node it has not heard of yet.
    public mutating func receive(
        _ message: GossipMessage,
        from address: String,
        now: Duration
    ) -> [MembershipDirective] {
        guard message.clusterName == configuration.clusterName else {
            countIgnored(.wrongCluster)
            return []
        }
        var directives: [MembershipDirective] = []
        if hasLeft {
            // Keep answering pings, so no one suspects a node that is on its way out; the acks carry `left`.
            if case .ping(let ping) = message.kind, isAddressedToSelf(ping) {
                let ack = GossipMessage.Ack(sequence: ping.sequence)
                directives.append(.send(makeMessage(.ack(ack), to: message.senderName), to: address))
            } else {
                countIgnored(.afterLeave)
            }
            return directives
        }
        for update in message.updates {
            apply(update, now: now, into: &directives)
        }
        switch message.kind {
        case .ping(let ping):
            guard isAddressedToSelf(ping) else {
                countIgnored(.pingForAnotherNode)
                if ping.targetName == identity.name {
                    // The prober still knows a previous boot of ours; make sure it hears of this one.
                    announceSelf(incarnation: incarnation)
                }
                break
            }
            let ack = GossipMessage.Ack(sequence: ping.sequence)
            directives.append(.send(makeMessage(.ack(ack), to: message.senderName), to: address))
        case .pingRequest(let request):
            relayProbe(request, origin: address, now: now, into: &directives)
        case .ack(let ack):
            handleAck(sequence: ack.sequence, into: &directives)
        case .nack(let nack):
            handleNack(sequence: nack.sequence)
        case .gossip:
            break
        }
        return directives
    }

    private func isAddressedToSelf(_ ping: GossipMessage.Ping) -> Bool {
        ping.targetName == identity.name && ping.targetBootID == identity.bootID
    }
}
