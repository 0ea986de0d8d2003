import Testing

@testable import Topics

/// The trie against a plain dictionary of entries and the reference matcher `TopicFilter.matches`, over random
/// filters and topics from a seeded generator.
@Suite struct SubscriptionTriePropertyTests {
    static let seeds: [UInt64] = [1, 0x5EED, 0xDEAD_BEEF, 20_240_611]

    /// An entry of the model: the trie's (filter, key) pair.
    struct Entry: Hashable {
        let filter: TopicFilter
        let key: Int
    }

    @Test("forEachMatch finds exactly the entries whose filters match, brute force being the oracle", arguments: seeds)
    func forEachMatch_findsExactlyTheMatchingEntries(seed: UInt64) {
        var random = RandomTopics(seed: seed)
        var trie = SubscriptionTrie<Int, TopicFilter>()
        var model: Set<Entry> = []
        for _ in 0..<400 {
            let entry = Entry(filter: random.filter(), key: random.int(0..<16))
            trie.insert(entry.filter, key: entry.key, value: entry.filter)
            model.insert(entry)
        }
        for _ in 0..<400 {
            let topic = random.topic()
            var found: [Entry] = []
            trie.forEachMatch(topic) { key, filter in found.append(Entry(filter: filter, key: key)) }
            let expected = model.filter { $0.filter.matches(topic) }
            #expect(found.count == expected.count, "seed \(seed): duplicate or missing visits for \(topic)")
            #expect(Set(found) == expected, "seed \(seed): topic \(topic)")
        }
    }

    @Test("insert and remove keep count, filterCount and values right, and prune every empty node", arguments: seeds)
    func insertAndRemove_keepCountsAndPrune(seed: UInt64) {
        var random = RandomTopics(seed: seed)
        var trie = SubscriptionTrie<Int, Int>()
        var model: [Entry: Int] = [:]
        for step in 0..<3_000 {
            if random.chance(0.55) {
                let entry = Entry(filter: random.filter(), key: random.int(0..<6))
                let value = random.int(0..<1_000)
                let replaced = trie.insert(entry.filter, key: entry.key, value: value)
                #expect(
                    replaced == model.updateValue(value, forKey: entry),
                    "seed \(seed) step \(step): insert \(entry)"
                )
            } else {
                // Half the removals hit an entry that exists.
                let entry =
                    random.chance(0.5) && !model.isEmpty
                    ? Array(model.keys)[random.int(0..<model.count)]
                    : Entry(filter: random.filter(), key: random.int(0..<6))
                #expect(
                    trie.remove(entry.filter, key: entry.key) == model.removeValue(forKey: entry),
                    "seed \(seed) step \(step): remove \(entry)"
                )
            }
            #expect(trie.count == model.count, "seed \(seed) step \(step)")
            #expect(trie.filterCount == Set(model.keys.map(\.filter)).count, "seed \(seed) step \(step)")
            if step % 50 == 0 {
                #expect(trie.nodeCount == Self.expectedNodeCount(model.keys), "seed \(seed) step \(step)")
                #expect(Self.contents(trie) == model, "seed \(seed) step \(step)")
            }
        }
        for entry in model.keys {
            #expect(trie.remove(entry.filter, key: entry.key) == model[entry], "seed \(seed)")
        }
        #expect(trie.isEmpty, "seed \(seed)")
        #expect(trie.filterCount == 0, "seed \(seed)")
        #expect(trie.nodeCount == 1, "seed \(seed): nodes left after removing every entry")
    }

    @Test("a copy keeps its contents while the original is changed at random", arguments: seeds)
    func copy_keepsContents_whileOriginalChanges(seed: UInt64) {
        var random = RandomTopics(seed: seed)
        var trie = SubscriptionTrie<Int, Int>()
        var snapshots: [(trie: SubscriptionTrie<Int, Int>, contents: [Entry: Int])] = []
        for step in 0..<600 {
            let filter = random.filter()
            let key = random.int(0..<4)
            if random.chance(0.6) {
                trie.insert(filter, key: key, value: step)
            } else {
                trie.remove(filter, key: key)
            }
            if step % 60 == 0 {
                snapshots.append((trie, Self.contents(trie)))
            }
        }
        for (index, snapshot) in snapshots.enumerated() {
            #expect(Self.contents(snapshot.trie) == snapshot.contents, "seed \(seed) snapshot \(index)")
            #expect(snapshot.trie.nodeCount == Self.expectedNodeCount(snapshot.contents.keys), "seed \(seed)")
        }
    }

    static func contents(_ trie: SubscriptionTrie<Int, Int>) -> [Entry: Int] {
        var contents: [Entry: Int] = [:]
        trie.forEach { filter, key, value in contents[Entry(filter: filter, key: key)] = value }
        return contents
    }

    /// The root plus one node per distinct level prefix of the filters, `#` needing no node of its own.
    static func expectedNodeCount(_ entries: some Sequence<Entry>) -> Int {
        var prefixes: Set<[[UInt8]]> = []
        for entry in entries {
            var levels = levelBytes(entry.filter.levels)
            if levels.last == Array("#".utf8) { levels.removeLast() }
            for length in stride(from: 1, through: levels.count, by: 1) {
                prefixes.insert(Array(levels[..<length]))
            }
        }
        return prefixes.count + 1
    }
}
