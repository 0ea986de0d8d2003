import Membership
import Testing

@Suite struct RestartSimulationTests {
    @Test(
        "a node restarted with a new boot id replaces its old entry and becomes alive",
        arguments: [(downtime: 0.5, afterDeath: false), (downtime: 0, afterDeath: true)]
    )
    func restart_replacesOldBoot_andBecomesAlive(downtime: Double, afterDeath: Bool) {
        let seed: UInt64 = afterDeath ? 0x5EED_0007 : 0x5EED_0008
        let count = 20
        var simulator = Simulator(seed: seed, count: count, configuration: .simulation)
        simulator.startAll()
        let period = simulator.configuration.protocolPeriod
        #expect(simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(30)) != nil)

        let restarted = 7
        let oldBoot = simulator.nodes[restarted].machine.identity.bootID
        simulator.kill(restarted)
        if afterDeath {
            let dead = simulator.run(
                until: { $0.allRunning(see: restarted, as: .dead) },
                step: period,
                limit: .seconds(120)
            )
            #expect(dead != nil, "\(simulator.replay)")
        } else {
            simulator.run(for: period * downtime)
        }
        simulator.restart(restarted)
        let newBoot = simulator.nodes[restarted].machine.identity.bootID
        let back = simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(60))
        print(
            "restart (after death: \(afterDeath)): alive everywhere with the new boot after \(back.map { "\($0)" } ?? "never"), seed \(seed)"
        )
        #expect(back != nil && back! <= period * 20, "\(simulator.replay)")
        #expect(newBoot != oldBoot)
        for observer in simulator.runningNodes {
            let members = simulator.nodes[observer].machine.members
            #expect(members.count == count, "observer \(observer) has \(members.count) entries, \(simulator.replay)")
            #expect(Set(members.map(\.name)).count == members.count, "\(simulator.replay)")
        }
        let replacements = simulator.observations(about: restarted) { event in
            if case .memberReplaced(let old, let new) = event { return old.bootID == oldBoot && new.bootID == newBoot }
            return false
        }
        #expect(Set(replacements.map(\.observer)).count == count - 1, "\(simulator.replay)")
        #expect(simulator.falsePositiveCount == 0, "\(simulator.replay)")
    }
}
