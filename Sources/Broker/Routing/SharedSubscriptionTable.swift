import MQTTCodec
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
        /// The node a member lives on when it is not this one; its session id means nothing here.
        var remoteNode: String? = nil
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
        var clientID: String
        /// Set when the member is on another node: the message is forwarded there.
        var remoteNode: String?
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

    func withGroups<Result>(_ body: (inout SubscriptionTrie<GroupKey, Group>) -> Result) -> Result {
        groups.withLockedValue { body(&$0) }
    }

    /// Changes a group's members, creating or removing the group as it gains its first or loses its last.
    func update(group: String, filter: TopicFilter, _ change: (inout [Member]) -> Void) {
        groups.withLockedValue { trie in
            let key = GroupKey(group: group, filter: filter)
            let existing = trie.value(for: filter, key: key)
            var value = existing ?? Group()
            change(&value.members)
            if value.members.isEmpty {
                if existing != nil {
                    _ = trie.remove(filter, key: key)
                    groupCount.subtract(1, ordering: .relaxed)
                }
            } else if trie.insert(filter, key: key, value: value) == nil {
                groupCount.add(1, ordering: .relaxed)
            }
        }
    }

    /// Adds or updates a member; returns whether this session was already a member.
    @discardableResult
    func add(group: String, filter: TopicFilter, member: Member) -> Bool {
        groups.withLockedValue { trie in
            var value = trie.value(for: filter, key: GroupKey(group: group, filter: filter)) ?? Group()
            let existed: Bool
            if let index = value.members.firstIndex(where: { $0.remoteNode == nil && $0.sessionID == member.sessionID })
            {
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
                let index = value.members.firstIndex(where: { $0.remoteNode == nil && $0.sessionID == sessionID })
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
                let index = value.members.firstIndex(where: { $0.remoteNode == nil && $0.sessionID == sessionID })
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
        excludingClientID: String? = nil,
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
                let eligible = group.members.indices.filter { index in
                    let member = group.members[index]
                    if member.remoteNode == nil, member.sessionID == excluding { return false }
                    return member.clientID != excludingClientID
                }
                let candidates = eligible.filter { group.members[$0].online }
                let pool = candidates.isEmpty ? eligible : candidates
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
                        entry: member.entry,
                        clientID: member.clientID,
                        remoteNode: member.remoteNode
                    )
                )
                _ = trie.insert(key.filter, key: key, value: group)
            }
            return choices
        }
    }
}

// MARK: Members on other nodes

extension SharedSubscriptionTable {
    /// A member on `node`, known from its routes. Remote members count as online: their node queues for them.
    func addRemote(node: String, group: String, filter: TopicFilter, clientID: String) {
        let member = Member(
            sessionID: SessionID(0),
            shardIndex: -1,
            clientID: clientID,
            entry: SubscriptionEntry(options: .init(qos: .exactlyOnce), subscriptionIdentifier: nil),
            online: true,
            remoteNode: node
        )
        update(group: group, filter: filter) { members in
            if !members.contains(where: { $0.remoteNode == node && $0.clientID == clientID }) {
                members.append(member)
            }
        }
    }

    func removeRemote(node: String, group: String, filter: TopicFilter, clientID: String) {
        update(group: group, filter: filter) { members in
            members.removeAll { $0.remoteNode == node && $0.clientID == clientID }
        }
    }

    /// Forgets every member on `node` (dead or left).
    func removeAllRemote(node: String) {
        var keys: [GroupKey] = []
        withGroups { trie in
            trie.forEach { _, key, group in
                if group.members.contains(where: { $0.remoteNode == node }) { keys.append(key) }
            }
        }
        for key in keys {
            update(group: key.group, filter: key.filter) { members in members.removeAll { $0.remoteNode == node } }
        }
    }

    /// The member on this node with `clientID`, as a choice to deliver to.
    func localMember(group: String, filter: TopicFilter, clientID: String) -> Choice? {
        withGroups { trie in
            guard let value = trie.value(for: filter, key: GroupKey(group: group, filter: filter)),
                let member = value.members.first(where: { $0.remoteNode == nil && $0.clientID == clientID })
            else { return nil }
            return Choice(
                sessionID: member.sessionID,
                shardIndex: member.shardIndex,
                group: group,
                filter: filter,
                entry: member.entry,
                clientID: clientID,
                remoteNode: nil
            )
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
