/// Applying claims about members, from gossip, push-pull, or this node's own probes and timers.
extension SWIMStateMachine {
    /// Applies `update` if it supersedes what is known, re-gossips it, and reports the change.
    mutating func apply(_ update: MemberUpdate, now: Duration, into directives: inout [MembershipDirective]) {
        let name = update.identity.name
        if name == identity.name {
            applyClaimAboutSelf(update)
            return
        }
        guard let record = records[name] else {
            // A suspect, dead or left member we never knew adds nothing worth keeping; an alive one has joined.
            guard update.state == .alive else { return }
            store(MemberRecord(member: update.member, changedAt: now, suspicion: nil))
            insertIntoProbeOrder(name)
            dissemination.enqueue(update)
            directives.append(.notify(.memberAlive(update.member)))
            return
        }
        let current = record.member
        let sameBoot = current.bootID == update.identity.bootID
        // The same suspicion from someone else. A suspicion at a higher incarnation is a new one: the member refuted
        // the old one (we missed that), so it gets a fresh timer below.
        if sameBoot, current.state == .suspect, update.state == .suspect, update.incarnation == current.incarnation {
            confirmSuspicion(update, record: record)
            return
        }
        guard update.supersedes(current) else {
            correctStaleAccusation(update, current: current)
            return
        }

        var updated = record
        updated.member = update.member
        if current.state != update.state || !sameBoot {
            updated.changedAt = now
        }
        updated.suspicion = update.state == .suspect ? newSuspicion(reporter: update.reporter, now: now) : nil
        store(updated)
        if update.state == .suspect, update.reporter != identity.name {
            probeSoon(name)
        }
        dissemination.enqueue(update, isPriority: update.state == .left)

        if !sameBoot {
            directives.append(.notify(.memberReplaced(old: current, new: update.member)))
        }
        guard current.state != update.state || !sameBoot else { return }
        switch update.state {
        case .alive: directives.append(.notify(.memberAlive(update.member)))
        case .suspect: directives.append(.notify(.memberSuspect(update.member)))
        case .dead: directives.append(.notify(.memberDead(update.member)))
        case .left: directives.append(.notify(.memberLeft(update.member)))
        }
    }

    /// Another member independently suspects one already suspect here: count it (Lifeguard §4.2) and pass it on
    /// so others can count it too.
    private mutating func confirmSuspicion(_ update: MemberUpdate, record: MemberRecord) {
        guard let reporter = update.reporter else { return }
        var updated = record
        if updated.suspicion?.confirm(by: reporter) == true {
            store(updated)
            dissemination.enqueue(update)
        }
    }

    /// Whoever still spreads a suspicion or death that a refutation has overtaken missed the refutation, and its
    /// own suspicion timer is running: gossip what we know again, so it reaches that node before the timer does.
    /// Only strictly newer knowledge is re-sent, so the correction dies out with the stale claims.
    private mutating func correctStaleAccusation(_ update: MemberUpdate, current: Member) {
        guard update.state == .suspect || update.state == .dead, current.state == .alive,
            current.bootID == update.identity.bootID, current.incarnation > update.incarnation
        else { return }
        dissemination.enqueue(MemberUpdate(current))
    }

    /// A claim about this node's own name (SWIM §4.2: only the member itself may raise its incarnation).
    private mutating func applyClaimAboutSelf(_ update: MemberUpdate) {
        let own = incarnation
        guard update.identity.bootID == identity.bootID else {
            // Our previous life (or, wrongly, another live process under our name): outbid it.
            if update.incarnation >= own {
                announceSelf(incarnation: update.incarnation + 1)
            }
            return
        }
        switch update.state {
        case .alive:
            if update.incarnation > own {
                announceSelf(incarnation: update.incarnation)
            }
        case .suspect, .dead, .left:
            guard update.incarnation >= own else {
                // Already refuted, but the sender missed it: say it again.
                announceSelf(incarnation: own)
                return
            }
            if hasLeft {
                // Still gone: say so again, above the claim.
                announceSelf(incarnation: update.incarnation + 1)
                return
            }
            if update.state != .left {
                // Being suspected hints that our own acks are late (Lifeguard §4.1).
                health.apply(1)
            }
            announceSelf(incarnation: update.incarnation + 1)
        }
    }

    /// Sets this node's incarnation and gossips its current state (alive, or left after ``leave(now:)``).
    mutating func announceSelf(incarnation: UInt64) {
        var record = records[identity.name]!
        record.member.incarnation = incarnation
        records[identity.name] = record
        dissemination.enqueue(MemberUpdate(record.member), isPriority: record.member.state == .left)
    }

    private func newSuspicion(reporter: String?, now: Duration) -> Suspicion {
        let size = activeCount
        let expected = size - 2 < configuration.suspicionConfirmations ? 0 : configuration.suspicionConfirmations
        return Suspicion(
            start: now,
            reporter: reporter,
            minimumTimeout: configuration.minimumSuspicionTimeout(clusterSize: size),
            maximumTimeout: configuration.maximumSuspicionTimeout(clusterSize: size),
            expected: expected
        )
    }

    /// The one place a record of another member is written or removed, keeping the counts and the suspect set
    /// in step with the table.
    mutating func store(_ record: MemberRecord?, named name: String? = nil) {
        let name = name ?? record!.member.name
        if let old = records[name] {
            if old.member.state.isActive { activeCount -= 1 }
            if old.member.state == .alive { aliveOthersCount -= 1 }
        }
        records[name] = record
        if let record {
            if record.member.state.isActive { activeCount += 1 }
            if record.member.state == .alive { aliveOthersCount += 1 }
            if record.member.state == .suspect { suspects.insert(name) } else { suspects.remove(name) }
        } else {
            suspects.remove(name)
        }
    }
}
