/// The failure detector: one probe per protocol period, indirect probes on timeout, and relaying for others
/// (SWIM §3.1, Lifeguard §4.1 and §4.3).
extension SWIMStateMachine {
    /// Starts the probe of the next member in round-robin order, if there is one to probe.
    mutating func startProbe(now: Duration, into directives: inout [MembershipDirective]) {
        let period = health.scale(configuration.protocolPeriod)
        timers.nextProbe = now + period
        guard let target = nextProbeTarget() else { return }
        let sequence = nextSequence()
        probe = ProbeInProgress(
            target: target,
            sequence: sequence,
            directDeadline: now + health.scale(configuration.probeTimeout),
            periodEnd: now + period
        )
        let ping = GossipMessage.Ping(sequence: sequence, targetName: target.name, targetBootID: target.bootID)
        directives.append(.send(makeMessage(.ping(ping), to: target.name), to: target.address))
    }

    /// The direct ack is overdue: ask k alive members to probe the target for us (SWIM §3.1).
    mutating func sendIndirectProbes(into directives: inout [MembershipDirective]) {
        guard var current = probe, !current.indirectProbesSent else { return }
        current.indirectProbesSent = true
        let candidates = records.values
            .filter { $0.member.state == .alive && $0.member.name != identity.name }
            .map(\.member.identity)
            .filter { $0.name != current.target.name }
            .sorted { $0.name < $1.name }
        let relays = random.sample(candidates, count: configuration.indirectProbeCount)
        current.expectedNacks = relays.count
        probe = current
        let request = GossipMessage.PingRequest(sequence: current.sequence, target: current.target, wantsNack: true)
        for relay in relays {
            directives.append(.send(makeMessage(.pingRequest(request), to: relay.name), to: relay.address))
        }
    }

    /// The period ended without an ack: adjust local health and suspect the target.
    mutating func failProbe(now: Duration, into directives: inout [MembershipDirective]) {
        guard let failed = probe else { return }
        probe = nil
        // Lifeguard §4.1: relays that did not even nack point at our own link, not at the target.
        if failed.expectedNacks > 0 {
            health.apply(max(0, failed.expectedNacks - failed.nacksReceived))
        } else {
            health.apply(1)
        }
        guard let record = records[failed.target.name], record.member.bootID == failed.target.bootID,
            record.member.state.isActive
        else { return }
        let suspicion = MemberUpdate(
            identity: record.member.identity,
            state: .suspect,
            incarnation: record.member.incarnation,
            reporter: identity.name
        )
        apply(suspicion, now: now, into: &directives)
    }

    /// An ack for `sequence` arrived: either our probe succeeded or we relay it to the member that asked.
    mutating func handleAck(sequence: UInt32, into directives: inout [MembershipDirective]) {
        if let current = probe, current.sequence == sequence {
            probe = nil
            if !current.indirectProbesSent {
                health.apply(-1)
            }
            return
        }
        guard let relay = relays.removeValue(forKey: sequence) else {
            countIgnored(.unknownSequence)
            return
        }
        let ack = GossipMessage.Ack(sequence: relay.originSequence)
        directives.append(.send(makeMessage(.ack(ack), to: nil), to: relay.originAddress))
    }

    mutating func handleNack(sequence: UInt32) {
        guard var current = probe, current.sequence == sequence else {
            countIgnored(.unknownSequence)
            return
        }
        current.nacksReceived += 1
        probe = current
    }

    /// Probes `request.target` for the member at `origin`, which relays the ack, or a nack when it is late.
    mutating func relayProbe(
        _ request: GossipMessage.PingRequest,
        origin: String,
        now: Duration,
        into directives: inout [MembershipDirective]
    ) {
        let sequence = nextSequence()
        relays[sequence] = RelayedProbe(
            originAddress: origin,
            originSequence: request.sequence,
            wantsNack: request.wantsNack,
            nackAt: now + health.scale(configuration.probeTimeout) * configuration.nackDelayFraction
        )
        let ping = GossipMessage.Ping(
            sequence: sequence,
            targetName: request.target.name,
            targetBootID: request.target.bootID
        )
        directives.append(.send(makeMessage(.ping(ping), to: request.target.name), to: request.target.address))
    }

    /// Gives up on relayed probes whose target stayed silent, sending the nacks that were asked for.
    mutating func expireRelays(now: Duration, into directives: inout [MembershipDirective]) {
        let expired = relays.filter { $0.value.nackAt <= now }.keys.sorted()
        for sequence in expired {
            guard let relay = relays.removeValue(forKey: sequence), relay.wantsNack else { continue }
            let nack = GossipMessage.Nack(sequence: relay.originSequence)
            directives.append(.send(makeMessage(.nack(nack), to: nil), to: relay.originAddress))
        }
    }

    /// A message of `kind` with as many pending updates as fit, those about `recipient` first.
    mutating func makeMessage(_ kind: GossipMessage.Kind, to recipient: String?) -> GossipMessage {
        let fixed = GossipCodec.encodedSizeWithoutUpdates(
            kind: kind,
            clusterName: configuration.clusterName,
            senderName: identity.name
        )
        var budget = configuration.maxGossipMessageSize - fixed
        var updates: [MemberUpdate] = []
        // Lifeguard's buddy system: a suspect hears of its suspicion from every probe of it, not only while the
        // suspicion is still being piggybacked, so it can refute in time.
        if let recipient, let member = records[recipient]?.member, member.state == .suspect {
            let suspicion = MemberUpdate(member, reporter: identity.name)
            updates.append(suspicion)
            budget -= GossipCodec.encodedSize(of: suspicion)
        }
        let hasBuddyUpdate = !updates.isEmpty
        let piggybacked = dissemination.take(
            for: recipient,
            byteBudget: budget,
            maxCount: GossipCodec.maxUpdatesPerMessage - updates.count,
            limit: configuration.retransmitLimit(clusterSize: activeCount)
        )
        updates += piggybacked.filter { !hasBuddyUpdate || $0.identity.name != recipient }
        return GossipMessage(
            clusterName: configuration.clusterName,
            senderName: identity.name,
            kind: kind,
            updates: updates
        )
    }

    /// The next alive or suspect member in the shuffled round-robin order (SWIM §4.3), reshuffling at the end.
    private mutating func nextProbeTarget() -> NodeIdentity? {
        for _ in 0..<2 {
            while probeIndex < probeOrder.count {
                let name = probeOrder[probeIndex]
                probeIndex += 1
                if let record = records[name], record.member.state.isActive, name != identity.name {
                    return record.member.identity
                }
            }
            let names = records.values
                .filter { $0.member.state.isActive && $0.member.name != identity.name }
                .map(\.member.name)
                .sorted()
            probeOrder = random.sample(names, count: names.count)
            probeIndex = 0
            if probeOrder.isEmpty { return nil }
        }
        return nil
    }

    /// Moves a member someone else suspects to one of the next few probe slots. Probing it ourselves either
    /// carries the suspicion to it (buddy system) and brings back its refutation in the ack — which also repairs a
    /// refutation this node missed — or fails and adds our independent confirmation, so a real failure is declared
    /// sooner (Lifeguard §4.2). Costs one extra probe per member and suspicion, spread over a few periods.
    mutating func probeSoon(_ name: String) {
        let window = min(Self.suspectProbeWindow, probeOrder.count - probeIndex)
        let position = probeIndex + Int.random(in: 0...window, using: &random)
        probeOrder.insert(name, at: position)
    }

    /// How many probe slots a suspect is moved into.
    static let suspectProbeWindow = 3

    /// A new member goes to a random place among those not yet probed this round, so it is probed within the round.
    mutating func insertIntoProbeOrder(_ name: String) {
        let position = Int.random(in: probeIndex...probeOrder.count, using: &random)
        probeOrder.insert(name, at: position)
    }
}
