import Testing
import Topics

/// One filter/topic pair from the specification's examples and whether the filter matches the topic.
struct MatchCase: Sendable, CustomTestStringConvertible {
    let filter: String
    let topic: String
    let matches: Bool

    var testDescription: String { "\(filter) \(matches ? "matches" : "does not match") \(topic)" }
}

/// The examples of 3.1.1 and 5.0 §4.7.1.2, §4.7.1.3 and §4.7.3.
let specMatchCases: [MatchCase] = [
    // §4.7.1.2 Multi-level wildcard.
    MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player1", matches: true),
    MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player1/ranking", matches: true),
    MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player1/score/wimbledon", matches: true),
    MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player2", matches: false),
    MatchCase(filter: "sport/#", topic: "sport", matches: true),
    MatchCase(filter: "sport/#", topic: "sport/", matches: true),
    MatchCase(filter: "sport/#", topic: "sports", matches: false),
    MatchCase(filter: "#", topic: "sport/tennis", matches: true),
    MatchCase(filter: "#", topic: "/", matches: true),
    MatchCase(filter: "+/tennis/#", topic: "sport/tennis/player1/ranking", matches: true),
    // §4.7.1.3 Single-level wildcard.
    MatchCase(filter: "sport/tennis/+", topic: "sport/tennis/player1", matches: true),
    MatchCase(filter: "sport/tennis/+", topic: "sport/tennis/player2", matches: true),
    MatchCase(filter: "sport/tennis/+", topic: "sport/tennis/player1/ranking", matches: false),
    MatchCase(filter: "sport/+", topic: "sport", matches: false),
    MatchCase(filter: "sport/+", topic: "sport/", matches: true),
    MatchCase(filter: "sport/+/player1", topic: "sport/tennis/player1", matches: true),
    MatchCase(filter: "+", topic: "finance", matches: true),
    MatchCase(filter: "+/+", topic: "/finance", matches: true),
    MatchCase(filter: "/+", topic: "/finance", matches: true),
    MatchCase(filter: "+", topic: "/finance", matches: false),
    MatchCase(filter: "+/+", topic: "/", matches: true),
    // §4.7.3 Topic semantic and usage: case-sensitive, levels are exact, no normalization [MQTT-4.7.3-4].
    MatchCase(filter: "ACCOUNTS", topic: "Accounts", matches: false),
    MatchCase(filter: "Accounts payable", topic: "Accounts payable", matches: true),
    MatchCase(filter: "/", topic: "/", matches: true),
    MatchCase(filter: "/", topic: "//", matches: false),
    MatchCase(filter: "sport/tennis", topic: "sport/tennis/", matches: false),
    MatchCase(filter: "sport/tennis/", topic: "sport/tennis", matches: false),
    MatchCase(filter: "caf\u{E9}", topic: "cafe\u{301}", matches: false),
    MatchCase(filter: "+/caf\u{E9}", topic: "x/cafe\u{301}", matches: false),
]

/// The examples of §4.7.2: wildcards at the first level do not reach `$` topics [MQTT-4.7.2-1].
let dollarMatchCases: [MatchCase] = [
    MatchCase(filter: "#", topic: "$SYS/monitor/Clients", matches: false),
    MatchCase(filter: "+/monitor/Clients", topic: "$SYS/monitor/Clients", matches: false),
    MatchCase(filter: "$SYS/#", topic: "$SYS/monitor/Clients", matches: true),
    MatchCase(filter: "$SYS/monitor/+", topic: "$SYS/monitor/Clients", matches: true),
    MatchCase(filter: "+", topic: "$SYS", matches: false),
    MatchCase(filter: "#", topic: "$", matches: false),
    MatchCase(filter: "+/#", topic: "$SYS/a", matches: false),
    MatchCase(filter: "$SYS", topic: "$SYS", matches: true),
    MatchCase(filter: "a/#", topic: "a/$b", matches: true),
    MatchCase(filter: "a/+", topic: "a/$b", matches: true),
]

@Suite struct TopicMatchingTests {
    @Test("topic filter matches as the specification's examples say (§4.7.1, §4.7.3)", arguments: specMatchCases)
    func topicFilter_matches_asSpecExamplesSay(_ example: MatchCase) throws {
        #expect(try filterMatches(example) == example.matches)
    }

    @Test("[MQTT-4.7.2-1] topic filter starting with a wildcard does not match a $ topic", arguments: dollarMatchCases)
    func topicFilter_skipsDollarTopics_whenStartingWithWildcard(_ example: MatchCase) throws {
        #expect(try filterMatches(example) == example.matches)
    }

    @Test("subscription trie matches as the specification's examples say", arguments: specMatchCases)
    func subscriptionTrie_matches_asSpecExamplesSay(_ example: MatchCase) throws {
        #expect(try trieMatches(example) == example.matches)
    }

    @Test(
        "[MQTT-4.7.2-1] subscription trie skips $ topics for filters starting with a wildcard",
        arguments: dollarMatchCases
    )
    func subscriptionTrie_skipsDollarTopics_whenFilterStartsWithWildcard(_ example: MatchCase) throws {
        #expect(try trieMatches(example) == example.matches)
    }

    @Test("retained index matches as the specification's examples say", arguments: specMatchCases)
    func retainedIndex_matches_asSpecExamplesSay(_ example: MatchCase) throws {
        #expect(try retainedMatches(example) == example.matches)
    }

    @Test(
        "[MQTT-4.7.2-1] retained index skips $ topics for filters starting with a wildcard",
        arguments: dollarMatchCases
    )
    func retainedIndex_skipsDollarTopics_whenFilterStartsWithWildcard(_ example: MatchCase) throws {
        #expect(try retainedMatches(example) == example.matches)
    }

    private func filterMatches(_ example: MatchCase) throws -> Bool {
        try TopicFilter(validating: example.filter).matches(TopicName(validating: example.topic))
    }

    /// Whether a trie holding the example's filter, and a decoy filter under another key, reports the example's
    /// entry (once) for its topic.
    private func trieMatches(_ example: MatchCase) throws -> Bool {
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try TopicFilter(validating: example.filter), key: "example", value: 1)
        trie.insert(try TopicFilter(validating: "decoy/#"), key: "decoy", value: 2)
        var visits: [String] = []
        trie.forEachMatch(try TopicName(validating: example.topic)) { key, _ in visits.append(key) }
        #expect(visits.count <= 1)
        return visits == ["example"]
    }

    /// Whether an index holding the example's topic, and a decoy topic, reports the example's topic (once).
    private func retainedMatches(_ example: MatchCase) throws -> Bool {
        var index = RetainedIndex<Int>()
        let topic = try TopicName(validating: example.topic)
        index.set(topic, 1)
        index.set(try TopicName(validating: "decoy"), 2)
        var found: [TopicName] = []
        index.forEachMatch(try TopicFilter(validating: example.filter)) { topic, _ in found.append(topic) }
        #expect(found.filter { $0 == topic }.count <= 1)
        return found.contains(topic)
    }
}
