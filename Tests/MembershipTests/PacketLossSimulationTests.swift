import Membership
import Testing

@Suite struct PacketLossSimulationTests {
    @Test("at 10 % packet loss, 50 nodes run 1,000 protocol periods without declaring a live node dead")
    func packetLoss_causesNoFalseDeaths_over1000Periods() {
        let seed: UInt64 = 0x5EED_0003
        var simulator = Simulator(seed: seed, count: 50, configuration: .simulation)
        simulator.startAll()
        let period = simulator.configuration.protocolPeriod
        #expect(simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(60)) != nil)

        simulator.network.lossRate = 0.10
        simulator.run(for: period * 1_000)
        let suspicions = simulator.observations.count { $0.event.isSuspect }
        let maximumHealth = simulator.nodes.map(\.machine.localHealthScore).max() ?? 0
        print(
            "loss: 50 nodes, 1000 periods at 10 % loss: \(suspicions) suspicions, \(simulator.falsePositiveCount) false deaths, max health score now \(maximumHealth), seed \(seed)"
        )
        #expect(simulator.falsePositiveCount == 0, "\(simulator.replay)")
        // The loss must have bitten, or the test proves nothing.
        #expect(suspicions > 0, "\(simulator.replay)")

        simulator.network.lossRate = 0
        #expect(
            simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(60)) != nil,
            "\(simulator.replay)"
        )
    }
}
