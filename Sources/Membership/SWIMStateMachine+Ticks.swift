/// The passage of time: probe stages, suspicion timeouts, join retries, push-pull, reconnects and reaping.
extension SWIMStateMachine {
    /// When the next timer is due. The shell calls ``tick(now:)`` at or after it, and reads it again after every
    /// input, since inputs can bring it forward. `.zero` until the first tick.
    public var nextDeadline: Duration {
        guard timers.started else { return .zero }
        var deadline = timers.nextReap
        for relay in relays.values {
            deadline = min(deadline, relay.nackAt)
        }
        guard !hasLeft else { return deadline }
        deadline = min(deadline, timers.nextProbe, timers.nextPushPull, timers.nextReconnect)
        if let probe {
            deadline = min(deadline, probe.indirectProbesSent ? probe.periodEnd : probe.directDeadline)
        }
        if !hasJoined, !seeds.isEmpty {
            deadline = min(deadline, timers.nextJoinAttempt)
        }
        for name in suspects {
            if let suspicion = records[name]?.suspicion {
                deadline = min(deadline, suspicion.deadline)
            }
        }
        return deadline
    }

    /// Runs every duty that is due at `now`.
    public mutating func tick(now: Duration) -> [MembershipDirective] {
        var directives: [MembershipDirective] = []
        if !timers.started {
            startTimers(now: now)
        }
        expireRelays(now: now, into: &directives)
        if now >= timers.nextReap {
            timers.nextReap = now + configuration.protocolPeriod
            reap(now: now, into: &directives)
        }
        guard !hasLeft else { return directives }

        if let current = probe {
            if now >= current.periodEnd {
                failProbe(now: now, into: &directives)
            } else if now >= current.directDeadline {
                sendIndirectProbes(into: &directives)
            }
        }
        if probe == nil, now >= timers.nextProbe {
            startProbe(now: now, into: &directives)
        }
        expireSuspicions(now: now, into: &directives)

        if !hasJoined, !seeds.isEmpty, now >= timers.nextJoinAttempt {
            timers.nextJoinAttempt = now + configuration.joinRetryInterval
            for seed in seeds {
                directives.append(pushPull(with: seed))
            }
        }
        if now >= timers.nextPushPull {
            timers.nextPushPull = now + configuration.pushPullInterval
            let partners = records.values.map(\.member)
                .filter { $0.state == .alive && $0.name != identity.name }
                .map(\.address)
                .sorted()
            if let partner = partners.randomElement(using: &random) {
                directives.append(pushPull(with: partner))
            }
        }
        if now >= timers.nextReconnect {
            timers.nextReconnect = now + configuration.reconnectInterval
            if let address = reconnectCandidates.randomElement(using: &random) {
                directives.append(pushPull(with: address))
            }
        }
        return directives
    }

    /// Seeds not currently reachable as an active member, and the addresses of dead members: who to re-contact
    /// so the halves of a healed partition find each other. Sorted.
    public var reconnectCandidates: [String] {
        var activeAddresses: Set<String> = []
        var deadAddresses: Set<String> = []
        for record in records.values where record.member.name != identity.name {
            switch record.member.state {
            case .alive, .suspect: activeAddresses.insert(record.member.address)
            case .dead: deadAddresses.insert(record.member.address)
            case .left: break
            }
        }
        let seedsToTry = seeds.filter { !activeAddresses.contains($0) }
        return Set(seedsToTry).union(deadAddresses.subtracting(activeAddresses)).subtracting([identity.address])
            .sorted()
    }

    /// Jitters the first probe and the first push-pull and reconnect within their periods, so nodes started
    /// together do not act in lockstep; the first join attempt is immediate.
    private mutating func startTimers(now: Duration) {
        timers.started = true
        timers.nextProbe = now + jitter(within: configuration.protocolPeriod)
        timers.nextPushPull = now + jitter(within: configuration.pushPullInterval)
        timers.nextReconnect = now + jitter(within: configuration.reconnectInterval)
        timers.nextJoinAttempt = now
        timers.nextReap = now + configuration.protocolPeriod
    }

    private mutating func jitter(within period: Duration) -> Duration {
        period * Double.random(in: 0..<1, using: &random)
    }

    /// Declares dead every suspect whose suspicion timed out without a refutation.
    private mutating func expireSuspicions(now: Duration, into directives: inout [MembershipDirective]) {
        let expired = suspects.filter { name in
            guard let deadline = records[name]?.suspicion?.deadline else { return false }
            return deadline <= now
        }
        for name in expired.sorted() {
            guard let member = records[name]?.member else { continue }
            let death = MemberUpdate(
                identity: member.identity,
                state: .dead,
                incarnation: member.incarnation,
                reporter: identity.name
            )
            apply(death, now: now, into: &directives)
        }
    }

    /// Forgets dead and left members after ``MembershipConfiguration/deadMemberRetention``.
    private mutating func reap(now: Duration, into directives: inout [MembershipDirective]) {
        let expired = records.values
            .filter { !$0.member.state.isActive && $0.member.name != identity.name }
            .filter { now - $0.changedAt >= configuration.deadMemberRetention }
            .map(\.member)
            .sorted { $0.name < $1.name }
        for member in expired {
            store(nil, named: member.name)
            dissemination.remove(name: member.name)
            directives.append(.notify(.memberRemoved(member)))
        }
    }
}
