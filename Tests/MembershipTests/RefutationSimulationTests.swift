import Membership
import Testing

@Suite struct RefutationSimulationTests {
    @Test("a falsely suspected node refutes with a higher incarnation and everyone ends up seeing it alive")
    func suspectedNode_refutes_andStaysAlive() {
        let seed: UInt64 = 0x5EED_0004
        let count = 10
        var simulator = Simulator(seed: seed, count: count, configuration: .simulation)
        simulator.startAll()
        let period = simulator.configuration.protocolPeriod
        #expect(simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(30)) != nil)

        let victim = 3
        // Its acks are lost, so probes of it fail; everything it sends otherwise still arrives.
        simulator.network.dropRule = { message, sender, _ in
            guard sender == victim, case .ack = message.kind else { return false }
            return true
        }
        simulator.run(for: period * 3)
        simulator.network.dropRule = nil
        simulator.run(for: period * 30)

        let suspicions = simulator.observations(about: victim, where: \.isSuspect)
        let deaths = simulator.observations(about: victim, where: \.isDead)
        let incarnation = simulator.nodes[victim].machine.localMember.incarnation
        print(
            "refutation: \(suspicions.count) suspicions of node \(victim), incarnation now \(incarnation), seed \(seed)"
        )
        #expect(!suspicions.isEmpty, "nobody suspected the victim, \(simulator.replay)")
        #expect(deaths.isEmpty, "\(simulator.replay)")
        #expect(incarnation > 0, "\(simulator.replay)")
        for observer in simulator.runningNodes where observer != victim {
            let member = simulator.nodes[observer].machine.member(named: Simulator.name(of: victim))
            #expect(member?.state == .alive, "observer \(observer), \(simulator.replay)")
            #expect(member?.incarnation == incarnation, "observer \(observer), \(simulator.replay)")
        }
    }
}
