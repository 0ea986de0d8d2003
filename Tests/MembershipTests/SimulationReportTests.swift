import Foundation
import Membership
import Testing

/// Prints the headline numbers of the protocol for a few cluster sizes, and holds them to their bounds.
/// N = 1000 runs only with `STARLING_SIM_LARGE=1`; it takes minutes.
@Suite struct SimulationReportTests {
    struct Row {
        var size: Int
        var joinPeriods: Int?
        var disseminationPeriods: Int?
        var detection: Duration?
        var detectionBound: Duration
        var falsePositives: Int
    }

    static var sizes: [Int] {
        ProcessInfo.processInfo.environment["STARLING_SIM_LARGE"] == "1" ? [10, 100, 1000] : [10, 100]
    }

    @Test("report: detection time, false positives and dissemination rounds by cluster size")
    func report() {
        let seed: UInt64 = 0x5EED_00AA
        var rows: [Row] = []
        for size in Self.sizes {
            let row = Self.measure(size: size, seed: seed &+ UInt64(size))
            rows.append(row)
            let replay = "N=\(size) seed=\(seed &+ UInt64(size))"
            #expect(row.joinPeriods != nil, "\(replay)")
            #expect(
                row.disseminationPeriods != nil && row.disseminationPeriods! <= 3 * Logarithm2.ceiling(size + 1),
                "\(replay)"
            )
            #expect(row.detection != nil && row.detection! <= row.detectionBound, "\(replay)")
            #expect(row.falsePositives == 0, "\(replay)")
        }
        print("")
        print(
            "|     N | join (periods) | new member known by all (periods) | detection of a crash (s, max over observers) | bound (s) | false positives |"
        )
        print(
            "|------:|---------------:|----------------------------------:|---------------------------------------------:|----------:|----------------:|"
        )
        for row in rows {
            let join = row.joinPeriods.map(String.init) ?? "never"
            let dissemination = row.disseminationPeriods.map(String.init) ?? "never"
            let detection = row.detection.map { String(format: "%.1f", $0.seconds) } ?? "never"
            let bound = String(format: "%.1f", row.detectionBound.seconds)
            print(
                "| \(pad(row.size, 5)) | \(pad(join, 14)) | \(pad(dissemination, 33)) | \(pad(detection, 44)) | \(pad(bound, 9)) | \(pad(row.falsePositives, 15)) |"
            )
        }
    }

    static func measure(size: Int, seed: UInt64) -> Row {
        let configuration = MembershipConfiguration.simulation
        let period = configuration.protocolPeriod
        // One node more than `size`: it joins once the others have converged.
        var simulator = Simulator(seed: seed, count: size + 1, configuration: configuration)
        for index in 0..<size { simulator.start(index) }
        let join = simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: period * 200)

        simulator.start(size)
        let dissemination = simulator.run(until: \.allRunningSeeAllAlive, step: period, limit: period * 100)

        let bound = configuration.failureDetectionBound(clusterSize: size + 1)
        let detection = simulator.measureDetection(ofKilled: size / 2, limit: bound * 2)
        return Row(
            size: size,
            joinPeriods: join.map { Int(($0 / period).rounded(.up)) },
            disseminationPeriods: dissemination.map { Int(($0 / period).rounded(.up)) },
            detection: detection,
            detectionBound: bound,
            falsePositives: simulator.falsePositiveCount
        )
    }
}

private func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
    let text = value.description
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
