import Membership
import Testing

@Suite struct PartitionSimulationTests {
    @Test("a 50/50 partition long enough for each side to declare the other dead heals by itself")
    func partition_healsBySeedAndDeadMemberReconnects() {
        let seed: UInt64 = 0x5EED_0005
        let count = 20
        var simulator = Simulator(seed: seed, count: count, configuration: .simulation)
        simulator.startAll()
        let period = simulator.configuration.protocolPeriod
        #expect(simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(30)) != nil)

        let left = Array(0..<(count / 2))
        let right = Array((count / 2)..<count)
        simulator.network.partition([left, right])
        let sidesApart: (Simulator) -> Bool = { simulator in
            left.allSatisfy { observer in right.allSatisfy { simulator.state(of: $0, seenBy: observer) == .dead } }
                && right.allSatisfy { observer in
                    left.allSatisfy { simulator.state(of: $0, seenBy: observer) == .dead }
                }
        }
        let apart = simulator.run(until: sidesApart, step: period, limit: .seconds(120))
        #expect(apart != nil, "the sides never declared each other dead, \(simulator.replay)")
        simulator.run(for: .seconds(30))

        simulator.network.heal()
        let reconnect = simulator.configuration.reconnectInterval
        let healed = simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: reconnect * 2 + .seconds(60))
        print(
            "partition: sides apart after \(apart.map { "\($0)" } ?? "never"), merged \(healed.map { "\($0)" } ?? "never") after healing, seed \(seed)"
        )
        #expect(healed != nil, "the halves never merged, \(simulator.replay)")
        #expect(healed == nil || healed! <= reconnect * 2 + .seconds(30), "\(simulator.replay)")
    }
}
