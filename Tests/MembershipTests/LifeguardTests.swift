import Testing

@testable import Membership

@Suite struct LifeguardTests {
    @Test("the suspicion timeout starts at the maximum and reaches the minimum after K confirmations")
    func suspicion_shrinksWithConfirmations() {
        var suspicion = Suspicion(
            start: .seconds(10),
            reporter: "a",
            minimumTimeout: .seconds(4),
            maximumTimeout: .seconds(24),
            expected: 3
        )
        #expect(suspicion.deadline == .seconds(34))
        let firstReporterCounted = suspicion.confirm(by: "a")
        #expect(!firstReporterCounted, "the first reporter is not a confirmation")
        let secondCounted = suspicion.confirm(by: "b")
        #expect(secondCounted)
        let repeatCounted = suspicion.confirm(by: "b")
        #expect(!repeatCounted, "a reporter counts once")
        let afterOne = suspicion.deadline
        #expect(afterOne < .seconds(34) && afterOne > .seconds(14))
        _ = suspicion.confirm(by: "c")
        _ = suspicion.confirm(by: "d")
        #expect(suspicion.deadline == .seconds(14))
        let beyondK = suspicion.confirm(by: "e")
        #expect(!beyondK)
    }

    @Test("with no one able to confirm, the minimum timeout applies at once")
    func suspicion_usesMinimum_whenNoConfirmationsExpected() {
        let suspicion = Suspicion(
            start: .zero,
            reporter: nil,
            minimumTimeout: .seconds(4),
            maximumTimeout: .seconds(24),
            expected: 0
        )
        #expect(suspicion.deadline == .seconds(4))
    }

    @Test("local health saturates at its maximum and never drops below zero")
    func localHealth_isClamped() {
        var health = LocalHealth(maximum: 8)
        health.apply(-3)
        #expect(health.multiplier == 1)
        health.apply(20)
        #expect(health.score == 8)
        #expect(health.scale(.seconds(1)) == .seconds(9))
    }

    @Test("timeouts follow the documented formulas", arguments: [1, 5, 10, 50, 100, 1000])
    func configuration_formulas(clusterSize: Int) {
        let configuration = MembershipConfiguration(clusterName: "c")
        let log10 = Logarithm.base10(Double(clusterSize))
        let minimum = configuration.minimumSuspicionTimeout(clusterSize: clusterSize)
        #expect(abs(minimum.seconds - 4 * max(1, log10)) < 1e-9)
        #expect(
            abs(configuration.maximumSuspicionTimeout(clusterSize: clusterSize).seconds - 6 * minimum.seconds) < 1e-9
        )
        let expectedRetransmits = 4 * String(clusterSize).count  // ceil(log10(N + 1)) is the digit count of N
        #expect(configuration.retransmitLimit(clusterSize: clusterSize) == expectedRetransmits)
    }

    @Test("the logarithm is exact to 1e-12", arguments: [1.0, 2, 10, 100, 1000, 0.5, 12_345.678])
    func logarithm_isAccurate(value: Double) {
        var reference = 0.0
        // ln by bisection on a monotone exp series, independent of the implementation under test.
        var low = -10.0
        var high = 20.0
        func exp(_ x: Double) -> Double {
            var term = 1.0
            var sum = 1.0
            for n in 1..<200 {
                term *= x / Double(n)
                sum += term
            }
            return sum
        }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if exp(mid) < value { low = mid } else { high = mid }
        }
        reference = (low + high) / 2
        #expect(abs(Logarithm.natural(value) - reference) < 1e-12)
    }

    @Test("claims about one name are ordered by incarnation, then state, then boot id")
    func memberUpdate_ordering() {
        let boot1 = NodeIdentity(name: "n", bootID: 1, address: "a")
        let boot2 = NodeIdentity(name: "n", bootID: 2, address: "a")
        let alive3 = Member(identity: boot1, state: .alive, incarnation: 3)
        #expect(MemberUpdate(identity: boot1, state: .suspect, incarnation: 3).supersedes(alive3))
        #expect(!MemberUpdate(identity: boot1, state: .alive, incarnation: 3).supersedes(alive3))
        #expect(!MemberUpdate(identity: boot1, state: .dead, incarnation: 2).supersedes(alive3))
        #expect(
            MemberUpdate(identity: boot1, state: .alive, incarnation: 4).supersedes(
                Member(identity: boot1, state: .dead, incarnation: 3)
            )
        )
        #expect(
            MemberUpdate(identity: boot1, state: .left, incarnation: 3).supersedes(
                Member(identity: boot1, state: .dead, incarnation: 3)
            )
        )
        #expect(MemberUpdate(identity: boot2, state: .alive, incarnation: 3).supersedes(alive3))
        #expect(
            !MemberUpdate(identity: boot1, state: .alive, incarnation: 3).supersedes(
                Member(identity: boot2, state: .alive, incarnation: 3)
            )
        )
    }
}
