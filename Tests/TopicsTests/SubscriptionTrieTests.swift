import Testing

@testable import Topics

@Suite struct SubscriptionTrieTests {
    private func filter(_ string: String) throws -> TopicFilter { try TopicFilter(validating: string) }
    private func topic(_ string: String) throws -> TopicName { try TopicName(validating: string) }

    private func matches(_ trie: SubscriptionTrie<String, Int>, _ topic: String) throws -> [String: [Int]] {
        var found: [String: [Int]] = [:]
        trie.forEachMatch(try self.topic(topic)) { key, value in found[key, default: []].append(value) }
        return found.mapValues { $0.sorted() }
    }

    @Test("insert returns nil and counts the entry when the key is new to the filter")
    func insert_returnsNil_whenKeyIsNew() throws {
        var trie = SubscriptionTrie<String, Int>()
        #expect(trie.isEmpty)
        #expect(trie.insert(try filter("a/b"), key: "s1", value: 1) == nil)
        #expect(trie.insert(try filter("a/b"), key: "s2", value: 2) == nil)
        #expect(trie.insert(try filter("a/#"), key: "s1", value: 3) == nil)
        #expect(trie.count == 3)
        #expect(trie.filterCount == 2)
        #expect(!trie.isEmpty)
    }

    @Test("insert returns the replaced value and keeps the count when the key is already subscribed")
    func insert_returnsReplacedValue_whenKeyIsAlreadySubscribed() throws {
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("a/+"), key: "s1", value: 1)
        #expect(trie.insert(try filter("a/+"), key: "s1", value: 2) == 1)
        #expect(trie.count == 1)
        #expect(trie.filterCount == 1)
        #expect(trie.value(for: try filter("a/+"), key: "s1") == 2)
    }

    @Test("value is found only under the exact filter, not under filters that match it")
    func value_isFoundOnlyUnderExactFilter() throws {
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("a/b"), key: "s1", value: 1)
        trie.insert(try filter("a/#"), key: "s2", value: 2)
        #expect(trie.value(for: try filter("a/b"), key: "s1") == 1)
        #expect(trie.value(for: try filter("a/b"), key: "s2") == nil)
        #expect(trie.value(for: try filter("a/+"), key: "s1") == nil)
        #expect(trie.value(for: try filter("a"), key: "s1") == nil)
        #expect(trie.value(for: try filter("a/#"), key: "s2") == 2)
        #expect(trie.value(for: try filter("#"), key: "s2") == nil)
    }

    @Test("remove returns nil and changes nothing when the entry is absent")
    func remove_returnsNil_whenEntryIsAbsent() throws {
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("a/b"), key: "s1", value: 1)
        #expect(trie.remove(try filter("a/b"), key: "s2") == nil)
        #expect(trie.remove(try filter("a/c"), key: "s1") == nil)
        #expect(trie.remove(try filter("a/#"), key: "s1") == nil)
        #expect(trie.count == 1)
        #expect(trie.nodeCount == 3)
    }

    @Test("remove returns the value and prunes the nodes it leaves empty")
    func remove_prunesEmptyNodes() throws {
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("a/b/c/d"), key: "s1", value: 1)
        trie.insert(try filter("a/+/#"), key: "s1", value: 2)
        trie.insert(try filter("a"), key: "s2", value: 3)
        #expect(trie.nodeCount == 6)  // root, a, a/b, a/b/c, a/b/c/d, a/+
        #expect(trie.remove(try filter("a/b/c/d"), key: "s1") == 1)
        #expect(trie.nodeCount == 3)  // root, a, a/+
        #expect(trie.remove(try filter("a/+/#"), key: "s1") == 2)
        #expect(trie.nodeCount == 2)  // `a` stays: it holds s2
        #expect(trie.remove(try filter("a"), key: "s2") == 3)
        #expect(trie.nodeCount == 1)
        #expect(trie.isEmpty)
        #expect(trie.filterCount == 0)
    }

    @Test("forEachMatch visits a key once per matching filter, leaving aggregation to the caller")
    func forEachMatch_visitsKeyOncePerFilter() throws {
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("a/b"), key: "s1", value: 1)
        trie.insert(try filter("a/+"), key: "s1", value: 2)
        trie.insert(try filter("#"), key: "s1", value: 3)
        trie.insert(try filter("a/b/#"), key: "s1", value: 4)
        trie.insert(try filter("a/c"), key: "s2", value: 5)
        #expect(try matches(trie, "a/b") == ["s1": [1, 2, 3, 4]])
        #expect(try matches(trie, "a/c") == ["s1": [2, 3], "s2": [5]])
    }

    @Test("[MQTT-4.7.2-1] forEachMatch skips $ topics for filters that start with a wildcard")
    func forEachMatch_skipsDollarTopics_forLeadingWildcards() throws {
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("#"), key: "all", value: 1)
        trie.insert(try filter("+/monitor/Clients"), key: "plus", value: 2)
        trie.insert(try filter("$SYS/#"), key: "sys", value: 3)
        trie.insert(try filter("$SYS/monitor/+"), key: "sysPlus", value: 4)
        #expect(try matches(trie, "$SYS/monitor/Clients") == ["sys": [3], "sysPlus": [4]])
        #expect(try matches(trie, "SYS/monitor/Clients") == ["all": [1], "plus": [2]])
    }

    @Test("forEachMatch rethrows the body's error and stops")
    func forEachMatch_rethrows_whenBodyThrows() throws {
        struct Stop: Error {}
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("a"), key: "s1", value: 1)
        trie.insert(try filter("+"), key: "s2", value: 2)
        var visits = 0
        #expect(throws: Stop.self) {
            try trie.forEachMatch(try topic("a")) { _, _ in
                visits += 1
                throw Stop()
            }
        }
        #expect(visits == 1)
    }

    @Test("forEach visits every entry with its filter")
    func forEach_visitsEveryEntryWithItsFilter() throws {
        var trie = SubscriptionTrie<String, Int>()
        let entries = [("a/b", "s1", 1), ("a/b", "s2", 2), ("a/#", "s1", 3), ("#", "s3", 4), ("+/+", "s1", 5)]
        for (string, key, value) in entries { trie.insert(try filter(string), key: key, value: value) }
        var seen: [String] = []
        trie.forEach { filter, key, value in seen.append("\(filter) \(key) \(value)") }
        #expect(seen.sorted() == entries.map { "\($0.0) \($0.1) \($0.2)" }.sorted())
    }

    @Test("copy keeps its entries when the original changes, and the other way round")
    func copy_keepsEntries_whenOriginalChanges() throws {
        var original = SubscriptionTrie<String, Int>()
        original.insert(try filter("a/b/c"), key: "s1", value: 1)
        original.insert(try filter("a/+/c"), key: "s1", value: 2)
        var copy = original
        original.insert(try filter("a/b/c"), key: "s1", value: 10)
        original.remove(try filter("a/+/c"), key: "s1")
        original.insert(try filter("a/b/d"), key: "s2", value: 3)
        copy.insert(try filter("a/b/c/#"), key: "s3", value: 4)
        #expect(try matches(original, "a/b/c") == ["s1": [10]])
        #expect(try matches(copy, "a/b/c") == ["s1": [1, 2], "s3": [4]])
        #expect(original.count == 2)
        #expect(copy.count == 3)
    }

    @Test("insert changes nodes in place when no copy shares them, and copies only the shared path otherwise")
    func insert_copiesOnlySharedPath() throws {
        func child(_ node: SubscriptionTrie<String, Int>.Node, _ level: String) -> SubscriptionTrie<String, Int>.Node {
            withUTF8Bytes(of: level) { node.literalChildren[$0] }!
        }
        func pathIdentities(_ trie: SubscriptionTrie<String, Int>) -> [ObjectIdentifier] {
            let a = child(trie.root, "a")
            return [ObjectIdentifier(trie.root), ObjectIdentifier(a), ObjectIdentifier(child(a, "b"))]
        }
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter("a/b/c"), key: "s1", value: 1)
        trie.insert(try filter("z/y"), key: "s1", value: 1)
        let before = pathIdentities(trie)
        trie.insert(try filter("a/b/d"), key: "s1", value: 2)
        #expect(pathIdentities(trie) == before)

        let copy = trie
        trie.insert(try filter("a/b/e"), key: "s1", value: 3)
        #expect(pathIdentities(copy) == before)
        #expect(zip(pathIdentities(trie), before).allSatisfy { $0 != $1 })
        // The branch off the changed path stays shared.
        #expect(child(trie.root, "z") === child(copy.root, "z"))
    }

    @Test("trie inserts, matches, removes and frees a filter of 32,768 levels without overflowing the stack")
    func trie_handlesDeepestFilter() throws {
        let literal = String(repeating: "a/", count: 32_767) + "a"
        let wildcard = String(repeating: "+/", count: 32_767) + "#"
        var trie = SubscriptionTrie<String, Int>()
        trie.insert(try filter(literal), key: "literal", value: 1)
        trie.insert(try filter(wildcard), key: "wildcard", value: 2)
        #expect(try matches(trie, literal) == ["literal": [1], "wildcard": [2]])
        #expect(trie.remove(try filter(literal), key: "literal") == 1)
        #expect(trie.nodeCount == 32_768)
        trie = SubscriptionTrie()
        #expect(trie.nodeCount == 1)
    }
}
