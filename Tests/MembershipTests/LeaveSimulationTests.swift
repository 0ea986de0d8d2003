import Membership
import Testing

@Suite struct LeaveSimulationTests {
    @Test("a node that leaves is seen as left by all within two periods and never as failed")
    func leave_isSeenQuickly_andNotAsFailure() {
        let seed: UInt64 = 0x5EED_0006
        let count = 20
        var simulator = Simulator(seed: seed, count: count, configuration: .simulation)
        simulator.startAll()
        let period = simulator.configuration.protocolPeriod
        #expect(simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(30)) != nil)

        let leaver = 5
        simulator.leave(leaver)
        let seen = simulator.run(
            until: { $0.allRunning(see: leaver, as: .left) },
            step: period / 10,
            limit: period * 10
        )
        print("leave: all saw node \(leaver) leave after \(seen.map { "\($0)" } ?? "never"), seed \(seed)")
        #expect(seen != nil && seen! <= period * 2, "\(simulator.replay)")

        // The shell lingers a little, then stops the process.
        simulator.run(for: period * 3)
        simulator.kill(leaver)
        simulator.run(for: .seconds(120))
        #expect(simulator.allRunning(see: leaver, as: .left), "\(simulator.replay)")
        #expect(
            simulator.observations(about: leaver, where: { $0.isDead || $0.isSuspect }).isEmpty,
            "\(simulator.replay)"
        )
        #expect(simulator.allRunningSeeAllAlive, "\(simulator.replay)")
    }
}
