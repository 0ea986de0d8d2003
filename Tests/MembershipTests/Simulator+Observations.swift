import Membership

/// Questions tests ask of a simulation.
extension Simulator {
    var runningNodes: [Int] {
        nodes.indices.filter { nodes[$0].isRunning }
    }

    /// Whether `observer` sees every other running node alive, under its current boot.
    func seesAllRunningAlive(_ observer: Int) -> Bool {
        let machine = nodes[observer].machine
        for index in runningNodes where index != observer {
            guard let member = machine.member(named: Self.name(of: index)), member.state == .alive,
                member.bootID == nodes[index].machine.identity.bootID
            else { return false }
        }
        return true
    }

    /// Whether every running node sees every other running node alive.
    var allRunningSeeAllAlive: Bool {
        runningNodes.allSatisfy(seesAllRunningAlive)
    }

    /// The state `observer` holds for node `subject`, if any.
    func state(of subject: Int, seenBy observer: Int) -> MemberState? {
        nodes[observer].machine.member(named: Self.name(of: subject))?.state
    }

    /// Whether every running node other than `subject` holds it in `state`.
    func allRunning(see subject: Int, as state: MemberState) -> Bool {
        runningNodes.allSatisfy { $0 == subject || self.state(of: subject, seenBy: $0) == state }
    }

    /// Dead declarations of a live boot.
    var falsePositiveCount: Int {
        observations.count(where: \.isFalseDeath)
    }

    /// Observations about node `subject` matching `predicate`.
    func observations(about subject: Int, where predicate: (MembershipEvent) -> Bool) -> [Observation] {
        observations.filter { $0.event.member.name == Self.name(of: subject) && predicate($0.event) }
    }

    /// A line to put in every failure message so the run can be replayed.
    var replay: String {
        "seed=\(seed) t=\(now)"
    }
}

extension MembershipEvent {
    var isDead: Bool {
        if case .memberDead = self { return true }
        return false
    }

    var isSuspect: Bool {
        if case .memberSuspect = self { return true }
        return false
    }

    var isLeft: Bool {
        if case .memberLeft = self { return true }
        return false
    }
}

extension Duration {
    /// The duration in (fractional) seconds, for reports.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
