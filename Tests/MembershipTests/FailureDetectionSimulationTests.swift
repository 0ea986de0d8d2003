import Membership
import Testing

@Suite struct FailureDetectionSimulationTests {
    @Test("a killed node is declared dead by every other within the configured detection bound")
    func killedNode_isDeclaredDeadByAll_withinDetectionBound() {
        let seed: UInt64 = 0x5EED_0002
        let count = 100
        var simulator = Simulator(seed: seed, count: count, configuration: .simulation)
        simulator.startAll()
        let period = simulator.configuration.protocolPeriod
        #expect(simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: .seconds(60)) != nil)

        let victim = 42
        let bound = simulator.configuration.failureDetectionBound(clusterSize: count)
        let detection = simulator.measureDetection(ofKilled: victim, limit: bound * 2)
        print(
            "detection: node \(victim) of \(count) dead everywhere after \(detection.map { "\($0)" } ?? "never") (bound \(bound)), seed \(seed)"
        )
        #expect(
            detection != nil && detection! <= bound,
            "detection \(String(describing: detection)), \(simulator.replay)"
        )
        #expect(simulator.falsePositiveCount == 0, "\(simulator.replay)")
    }
}

extension Simulator {
    /// Kills `victim` and runs until every other running node has declared it dead; returns the latest first
    /// declaration, measured from the kill, or nil when some observer never declared it within `limit`.
    mutating func measureDetection(ofKilled victim: Int, limit: Duration) -> Duration? {
        let killedAt = now
        kill(victim)
        let period = configuration.protocolPeriod
        guard run(until: { $0.allRunning(see: victim, as: .dead) }, step: period / 10, limit: limit) != nil else {
            return nil
        }
        var latest: Duration = .zero
        for observer in runningNodes {
            let declared = observations(about: victim, where: \.isDead)
                .filter { $0.observer == observer && $0.time >= killedAt }
                .map(\.time)
                .min()
            guard let declared else { return nil }
            latest = max(latest, declared - killedAt)
        }
        return latest
    }
}
