/// Graceful departure.
extension SWIMStateMachine {
    /// Leaves the cluster: announces `left` at a higher incarnation straight to every active member and with
    /// priority on every later message. Afterwards the node only answers pings (so it is not suspected while the
    /// news spreads); the shell should keep it running for a few protocol periods, then stop.
    public mutating func leave(now: Duration) -> [MembershipDirective] {
        guard !hasLeft else { return [] }
        hasLeft = true
        probe = nil
        relays = [:]
        var record = records[identity.name]!
        record.member.state = .left
        record.member.incarnation += 1
        record.changedAt = now
        records[identity.name] = record
        let update = MemberUpdate(record.member)
        dissemination.enqueue(update, isPriority: true)

        let recipients = records.values.map(\.member)
            .filter { $0.state.isActive && $0.name != identity.name }
            .sorted { $0.name < $1.name }
        return recipients.map { recipient in
            let message = GossipMessage(
                clusterName: configuration.clusterName,
                senderName: identity.name,
                kind: .gossip,
                updates: [update]
            )
            return .send(message, to: recipient.address)
        }
    }
}
