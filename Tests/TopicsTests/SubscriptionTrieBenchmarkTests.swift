import StarlingTestKit
import Testing
import Topics

/// Prints how long matching takes on a trie shaped like a device fleet, next to a scan of every filter. Timing is
/// reported, never asserted: only the match counts are checked. Run with `-c release` for numbers that mean
/// anything.
@Suite struct SubscriptionTrieBenchmarkTests {
    static let deviceCount = 5_000

    static func fleetTrie() -> (trie: SubscriptionTrie<Int, Int>, filters: [(TopicFilter, Int)]) {
        var filters: [(TopicFilter, Int)] = []
        for device in 0..<deviceCount {
            filters.append((TopicFilter(uncheckedString: "devices/\(device)/commands"), device))
            if device % 10 == 0 {
                filters.append((TopicFilter(uncheckedString: "devices/\(device)/#"), device))
            }
        }
        for service in 0..<50 {
            filters.append((TopicFilter(uncheckedString: "devices/+/telemetry"), deviceCount + service))
            filters.append((TopicFilter(uncheckedString: "fleet/region-\(service)/+/alerts"), deviceCount + service))
        }
        filters.append((TopicFilter(uncheckedString: "#"), -1))
        filters.append((TopicFilter(uncheckedString: "$SYS/#"), -2))
        var trie = SubscriptionTrie<Int, Int>()
        for (filter, key) in filters { trie.insert(filter, key: key, value: key) }
        return (trie, filters)
    }

    @Test("forEachMatch reports its timing on a fleet-shaped trie and agrees with a scan of every filter")
    func forEachMatch_reportsTiming_onFleetShapedTrie() {
        let seed: UInt64 = 42
        var generator = SeededGenerator(seed: seed)
        let (trie, filters) = Self.fleetTrie()
        let topics = (0..<1_000).map { _ in
            let device = Int.random(in: 0..<Self.deviceCount, using: &generator)
            let leaf = ["telemetry", "commands", "status/battery-level-and-temperature"].randomElement(
                using: &generator
            )!
            return TopicName(uncheckedString: "devices/\(device)/\(leaf)")
        }

        let clock = ContinuousClock()
        var trieVisits = 0
        let rounds = 20
        let trieTime = clock.measure {
            for _ in 0..<rounds {
                for topic in topics { trie.forEachMatch(topic) { _, _ in trieVisits += 1 } }
            }
        }
        var scanVisits = 0
        let scanTime = clock.measure {
            for topic in topics {
                for (filter, _) in filters where filter.matches(topic) { scanVisits += 1 }
            }
        }
        #expect(trieVisits == scanVisits * rounds, "seed \(seed)")
        func nanoseconds(_ duration: Duration, per count: Int) -> Int {
            let (seconds, attoseconds) = duration.components
            return Int((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(count))
        }
        print(
            """
            SubscriptionTrie: \(trie.count) entries, \(nanoseconds(trieTime, per: topics.count * rounds)) ns per topic; \
            scanning every filter: \(nanoseconds(scanTime, per: topics.count)) ns per topic
            """
        )
    }
}
