import Testing

@testable import StarlingBench

@Suite("Topic filter matching")
struct BenchTopicFilterTests {
    @Test(arguments: [
        ("bench/#", "bench/1", true),
        ("bench/#", "bench", true),
        ("bench/#", "bench/1/2", true),
        ("bench/+", "bench/1", true),
        ("bench/+", "bench/1/2", false),
        ("bench/+/x", "bench/7/x", true),
        ("bench/1", "bench/1", true),
        ("bench/1", "bench/10", false),
        ("#", "bench/1", true),
        ("+/+", "a/b", true),
        ("bench/+", "bench/", true),
    ])
    func matches_followsWildcardRules(_ filter: String, _ topic: String, _ expected: Bool) throws {
        #expect(try BenchTopicFilter(filter).matches(topic: topic) == expected)
    }

    @Test("[MQTT-4.7.2-1] matches_isFalse_whenAFilterStartingWithAWildcardMeetsADollarTopic")
    func matches_isFalse_whenAFilterStartingWithAWildcardMeetsADollarTopic() throws {
        #expect(try !BenchTopicFilter("#").matches(topic: "$SYS/broker"))
        #expect(try !BenchTopicFilter("+/broker").matches(topic: "$SYS/broker"))
        #expect(try BenchTopicFilter("$SYS/#").matches(topic: "$SYS/broker"))
    }

    @Test func sharedFilter_matchesOnTheFilterAfterTheGroup() throws {
        let filter = try BenchTopicFilter("$share/g1/bench/#")
        #expect(filter.shareGroup == "g1")
        #expect(filter.matchFilter == "bench/#")
        #expect(filter.matches(topic: "bench/3"))
        #expect(filter.description == "$share/g1/bench/#")
    }

    @Test("[MQTT-4.8.2-1] [MQTT-4.8.2-2] init_throws_whenTheShareNameIsEmptyHasWildcardsOrHasNoFilter")
    func init_throws_whenTheShareNameIsEmptyHasWildcardsOrHasNoFilter() {
        for text in ["$share//bench/#", "$share/g+/bench/#", "$share/g", "$share/g/"] {
            #expect(throws: BenchConfigurationError.self, "\(text)") { try BenchTopicFilter(text) }
        }
    }

    @Test("[MQTT-4.7.1-1] [MQTT-4.7.1-2] init_throws_whenWildcardsDoNotOccupyWholeLevels")
    func init_throws_whenWildcardsDoNotOccupyWholeLevels() {
        for text in ["bench/#/x", "bench#", "bench/a+", "", "bench/+x/y"] {
            #expect(throws: BenchConfigurationError.self, "\(text)") { try BenchTopicFilter(text) }
        }
    }
}
