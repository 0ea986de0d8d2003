import Membership
import Testing

@Suite struct JoinSimulationTests {
    @Test("100 nodes joining through one seed all see all alive within 3·log2(N) protocol periods")
    func join_allSeeAllAlive_withinLogarithmicPeriods() {
        let seed: UInt64 = 0x5EED_0001
        let count = 100
        var simulator = Simulator(seed: seed, count: count, configuration: .simulation)
        simulator.startAll()
        let period = simulator.configuration.protocolPeriod
        let bound = 3 * Int(Logarithm2.ceiling(count))
        let took = simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: period * (bound * 4))
        let periods = took.map { Int(($0 / period).rounded(.up)) }
        print(
            "join: \(count) nodes converged in \(periods.map(String.init) ?? "never") periods (bound \(bound)), seed \(seed)"
        )
        #expect(periods != nil && periods! <= bound, "took \(String(describing: periods)) periods, \(simulator.replay)")
        #expect(simulator.falsePositiveCount == 0, "\(simulator.replay)")
        #expect(simulator.stalledTicks == 0, "\(simulator.replay)")
    }
}

/// Integer log2 for bounds.
enum Logarithm2 {
    static func ceiling(_ value: Int) -> Int {
        var result = 0
        while 1 << result < value { result += 1 }
        return result
    }
}

extension MembershipConfiguration {
    /// The defaults, under a test cluster name.
    static var simulation: MembershipConfiguration {
        MembershipConfiguration(clusterName: "simulation")
    }
}

extension Duration {
    static func / (lhs: Duration, rhs: Duration) -> Double {
        lhs.seconds / rhs.seconds
    }
}
