import NIOConcurrencyHelpers
import Synchronization
import Topics

/// Shared subscription groups of every event loop (`$share/{group}/{filter}`).
///
/// A group's members may live on any loop, and each message must go to exactly one member
/// of each matching group [MQTT-4.8.2-…], so the choice needs one view of the group: it is
/// kept under a lock. `groupCount` lets publishes skip the lock when no group exists.
final class SharedSubscriptionTable: Sendable {
    struct Member {
        var sessionID: SessionID
        var shardIndex: Int
        var clientID: String
        var entry: SubscriptionEntry
        var online: Bool
    }

    struct Group {
        var members: [Member] = []
        var nextIndex = 0
        var stickyMember: SessionID?
    }

    /// The member chosen for one message.
    struct Choice: Sendable {
        var sessionID: SessionID
        var shardIndex: Int
        var group: String
        var filter: TopicFilter
        var entry: SubscriptionEntry
    }

    /// A group is named by its share name and filter together: `$share/g/a` and `$share/g/b`
    /// are two groups.
    struct GroupKey: Hashable {
        var group: String
        var filter: TopicFilter
    }

    private let groups = NIOLockedValueBox(SubscriptionTrie<GroupKey, Group>())
    private let groupCount = Atomic<Int>(0)
    let strategy: SharedSubscriptionStrategy

    init(strategy: SharedSubscriptionStrategy) {
        self.strategy = strategy
    }

    var isEmpty: Bool { groupCount.load(ordering: .relaxed) == 0 }

    /// Adds or updates a member; returns whether this session was already a member.
    @discardableResult
    func add(group: String, filter: TopicFilter, member: Member) -> Bool {
        groups.withLockedValue { trie in
            var value = trie.value(for: filter, key: GroupKey(group: group, filter: filter)) ?? Group()
            let existed: Bool
            if let index = value.members.firstIndex(where: { $0.sessionID == member.sessionID }) {
                value.members[index] = member
                existed = true
            } else {
                value.members.append(member)
                existed = false
            }
            if trie.insert(filter, key: GroupKey(group: group, filter: filter), value: value) == nil {
                groupCount.add(1, ordering: .relaxed)
            }
            return existed
        }
    }

    @discardableResult
    func remove(group: String, filter: TopicFilter, sessionID: SessionID) -> Bool {
        groups.withLockedValue { trie in
            guard var value = trie.value(for: filter, key: GroupKey(group: group, filter: filter)),
                let index = value.members.firstIndex(where: { $0.sessionID == sessionID })
            else { return false }
            value.members.remove(at: index)
            if value.members.isEmpty {
                _ = trie.remove(filter, key: GroupKey(group: group, filter: filter))
                groupCount.subtract(1, ordering: .relaxed)
            } else {
                _ = trie.insert(filter, key: GroupKey(group: group, filter: filter), value: value)
            }
            return true
        }
    }

    /// Marks a member online or offline; offline members are chosen only when no member is online.
    func setOnline(_ online: Bool, group: String, filter: TopicFilter, sessionID: SessionID, shardIndex: Int) {
        groups.withLockedValue { trie in
            guard var value = trie.value(for: filter, key: GroupKey(group: group, filter: filter)),
                let index = value.members.firstIndex(where: { $0.sessionID == sessionID })
            else { return }
            value.members[index].online = online
            value.members[index].shardIndex = shardIndex
            _ = trie.insert(filter, key: GroupKey(group: group, filter: filter), value: value)
        }
    }

    /// Chooses one member of every group matching `topic`. `excluding` is a member that
    /// turned out to be gone, when a message is dispatched again.
    func choose(
        for topic: TopicName,
        publisherClientID: String?,
        fromShard: Int,
        excluding: SessionID? = nil,
        onlyGroup: (group: String, filter: TopicFilter)? = nil,
        random: inout some RandomNumberGenerator
    ) -> [Choice] {
        groups.withLockedValue { trie in
            var matched: [GroupKey] = []
            trie.forEachMatch(topic) { key, _ in
                if let onlyGroup, onlyGroup.group != key.group || onlyGroup.filter != key.filter { return }
                matched.append(key)
            }
            var choices: [Choice] = []
            for key in matched {
                guard var group = trie.value(for: key.filter, key: key) else { continue }
                let candidates = group.members.indices.filter {
                    group.members[$0].sessionID != excluding && group.members[$0].online
                }
                let pool =
                    candidates.isEmpty
                    ? group.members.indices.filter { group.members[$0].sessionID != excluding } : candidates
                guard !pool.isEmpty else { continue }
                let index = strategy.pick(
                    from: pool,
                    group: &group,
                    topic: topic,
                    publisherClientID: publisherClientID,
                    fromShard: fromShard,
                    random: &random
                )
                let member = group.members[index]
                choices.append(
                    Choice(
                        sessionID: member.sessionID,
                        shardIndex: member.shardIndex,
                        group: key.group,
                        filter: key.filter,
                        entry: member.entry
                    )
                )
                _ = trie.insert(key.filter, key: key, value: group)
            }
            return choices
        }
    }
}

/// How a shared group picks the member that receives a message.
public enum SharedSubscriptionStrategy: String, Sendable, CaseIterable {
    case random
    case roundRobin = "round_robin"
    case sticky
    case hashClientID = "hash_clientid"
    case hashTopic = "hash_topic"
    case localFirst = "local_first"

    func pick(
        from pool: [Int],
        group: inout SharedSubscriptionTable.Group,
        topic: TopicName,
        publisherClientID: String?,
        fromShard: Int,
        random: inout some RandomNumberGenerator
    ) -> Int {
        switch self {
        case .random:
            return pool.randomElement(using: &random)!
        case .roundRobin:
            let index = pool[group.nextIndex % pool.count]
            group.nextIndex &+= 1
            return index
        case .sticky:
            if let sticky = group.stickyMember,
                let index = pool.first(where: { group.members[$0].sessionID == sticky })
            {
                return index
            }
            let index = pool.randomElement(using: &random)!
            group.stickyMember = group.members[index].sessionID
            return index
        case .hashClientID:
            return pool[Int(stableHash(publisherClientID ?? "") % UInt64(pool.count))]
        case .hashTopic:
            return pool[Int(stableHash(topic.string) % UInt64(pool.count))]
        case .localFirst:
            let local = pool.filter { group.members[$0].shardIndex == fromShard }
            let choices = local.isEmpty ? pool : local
            let index = choices[group.nextIndex % choices.count]
            group.nextIndex &+= 1
            return index
        }
    }
}

/// FNV-1a: stable across processes, unlike `Hasher`, so hash strategies agree over restarts.
func stableHash(_ string: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in string.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01b3
    }
    return hash
}
