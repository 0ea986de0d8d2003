import Testing

@testable import Topics

@Suite struct RetainedIndexTests {
    private func filter(_ string: String) throws -> TopicFilter { try TopicFilter(validating: string) }
    private func topic(_ string: String) throws -> TopicName { try TopicName(validating: string) }

    private func matches(_ index: RetainedIndex<Int>, _ filter: String) throws -> [String: Int] {
        var found: [String: Int] = [:]
        index.forEachMatch(try self.filter(filter)) { topic, value in
            #expect(found.updateValue(value, forKey: topic.string) == nil, "visited \(topic) twice")
        }
        return found
    }

    @Test("set returns nil when the topic is new and the replaced value when it is not")
    func set_returnsReplacedValue() throws {
        var index = RetainedIndex<Int>()
        #expect(index.set(try topic("a/b"), 1) == nil)
        #expect(index.set(try topic("a/b"), 2) == 1)
        #expect(index.set(try topic("a"), 3) == nil)
        #expect(index.count == 2)
        #expect(index.value(for: try topic("a/b")) == 2)
        #expect(index.value(for: try topic("a/b/c")) == nil)
    }

    @Test("removeValue returns the value and prunes the nodes it leaves empty")
    func removeValue_prunesEmptyNodes() throws {
        var index = RetainedIndex<Int>()
        index.set(try topic("a/b/c"), 1)
        index.set(try topic("a"), 2)
        index.set(try topic("a/d"), 3)
        #expect(index.nodeCount == 5)  // root, a, a/b, a/b/c, a/d
        #expect(index.removeValue(for: try topic("a/b")) == nil)
        #expect(index.removeValue(for: try topic("a/b/c")) == 1)
        #expect(index.nodeCount == 3)
        #expect(index.removeValue(for: try topic("a")) == 2)
        #expect(index.nodeCount == 3)  // `a` stays: `a/d` is below it
        #expect(index.removeValue(for: try topic("a/d")) == 3)
        #expect(index.nodeCount == 1)
        #expect(index.isEmpty)
    }

    @Test("forEachMatch finds the topics a filter matches, the parent level included for #")
    func forEachMatch_findsMatchingTopics() throws {
        var index = RetainedIndex<Int>()
        for (offset, name) in ["sport", "sport/tennis", "sport/tennis/player1", "sport/", "finance", "/finance"]
            .enumerated()
        {
            index.set(try topic(name), offset)
        }
        #expect(
            try matches(index, "sport/#") == ["sport": 0, "sport/tennis": 1, "sport/tennis/player1": 2, "sport/": 3]
        )
        #expect(try matches(index, "sport/+") == ["sport/tennis": 1, "sport/": 3])
        #expect(try matches(index, "+") == ["sport": 0, "finance": 4])
        #expect(try matches(index, "+/+") == ["sport/tennis": 1, "sport/": 3, "/finance": 5])
        #expect(try matches(index, "sport/tennis") == ["sport/tennis": 1])
        #expect(try matches(index, "sport/tennis/player2") == [:])
    }

    @Test("[MQTT-4.7.2-1] forEachMatch skips $ topics for filters that start with a wildcard")
    func forEachMatch_skipsDollarTopics_forLeadingWildcards() throws {
        var index = RetainedIndex<Int>()
        index.set(try topic("$SYS/monitor/Clients"), 1)
        index.set(try topic("a/$b"), 2)
        #expect(try matches(index, "#") == ["a/$b": 2])
        #expect(try matches(index, "+/monitor/Clients") == [:])
        #expect(try matches(index, "$SYS/#") == ["$SYS/monitor/Clients": 1])
        #expect(try matches(index, "$SYS/monitor/+") == ["$SYS/monitor/Clients": 1])
        #expect(try matches(index, "a/+") == ["a/$b": 2])
    }

    @Test("copy keeps its values when the original changes")
    func copy_keepsValues_whenOriginalChanges() throws {
        var original = RetainedIndex<Int>()
        original.set(try topic("a/b"), 1)
        let copy = original
        original.set(try topic("a/b"), 2)
        original.set(try topic("a/c"), 3)
        original.removeValue(for: try topic("a/b"))
        #expect(try matches(copy, "#") == ["a/b": 1])
        #expect(try matches(original, "#") == ["a/c": 3])
    }

    @Test("index stores, matches, removes and frees a topic of 32,768 levels without overflowing the stack")
    func index_handlesDeepestTopic() throws {
        let deep = String(repeating: "a/", count: 32_767) + "a"
        var index = RetainedIndex<Int>()
        index.set(try topic(deep), 1)
        index.set(try topic("a"), 2)
        #expect(try matches(index, String(repeating: "+/", count: 32_767) + "#") == [deep: 1])
        #expect(try matches(index, "a/#").count == 2)
        #expect(index.removeValue(for: try topic(deep)) == 1)
        #expect(index.nodeCount == 2)
        index.set(try topic(deep), 1)
        index = RetainedIndex()
        #expect(index.nodeCount == 1)
    }
}

/// The index against a plain dictionary and the reference matcher `TopicFilter.matches`.
@Suite struct RetainedIndexPropertyTests {
    @Test(
        "forEachMatch finds exactly the stored topics a filter matches, under random sets and removals",
        arguments: SubscriptionTriePropertyTests.seeds
    )
    func forEachMatch_findsExactlyTheMatchingTopics(seed: UInt64) {
        var random = RandomTopics(seed: seed)
        var index = RetainedIndex<Int>()
        var model: [TopicName: Int] = [:]
        for step in 0..<2_000 {
            let topic = random.topic()
            if random.chance(0.6) {
                #expect(index.set(topic, step) == model.updateValue(step, forKey: topic), "seed \(seed) step \(step)")
            } else {
                #expect(index.removeValue(for: topic) == model.removeValue(forKey: topic), "seed \(seed) step \(step)")
            }
            #expect(index.count == model.count, "seed \(seed) step \(step)")
            if step % 20 == 0 {
                let filter = random.filter()
                var found: [TopicName: Int] = [:]
                var visits = 0
                index.forEachMatch(filter) { topic, value in
                    found[topic] = value
                    visits += 1
                }
                let expected = model.filter { filter.matches($0.key) }
                #expect(visits == expected.count, "seed \(seed) step \(step): filter \(filter)")
                #expect(found == expected, "seed \(seed) step \(step): filter \(filter)")
                #expect(index.nodeCount == Self.expectedNodeCount(model.keys), "seed \(seed) step \(step)")
            }
        }
        for topic in model.keys { index.removeValue(for: topic) }
        #expect(index.isEmpty, "seed \(seed)")
        #expect(index.nodeCount == 1, "seed \(seed): nodes left after removing every topic")
    }

    /// The root plus one node per distinct level prefix of the topics.
    static func expectedNodeCount(_ topics: some Sequence<TopicName>) -> Int {
        var prefixes: Set<[[UInt8]]> = []
        for topic in topics {
            let levels = levelBytes(topic.levels)
            for length in 1...levels.count { prefixes.insert(Array(levels[..<length])) }
        }
        return prefixes.count + 1
    }
}
