/// Subscriptions indexed by the levels of their filters, so a published topic finds its subscribers by walking
/// its own levels instead of testing every filter.
///
/// Each entry is a (filter, key) pair with a value: the broker keys by session and stores the subscription options;
/// the cluster keys by node. A node of the trie has literal children, a `+` child, and the entries whose filters end
/// there or end there with `#`. Matching a topic of n levels visits at most the nodes along the literal and `+`
/// paths of those n levels, and allocates nothing.
///
/// A value type: copies share nodes until one of them changes (copy-on-write, one path at a time).
/// Levels compare by their UTF-8 bytes, never by Unicode equivalence [MQTT-4.7.3-4].
public struct SubscriptionTrie<Key: Hashable, Value> {
    @usableFromInline
    var root = Node()

    /// The number of (filter, key) entries.
    public private(set) var count = 0

    /// The number of distinct filters with at least one entry.
    public private(set) var filterCount = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Stores `value` for `key` under `filter`, and returns the value it replaced, or `nil` if the key was new to
    /// this filter (the broker's Retain Handling 1 sends retained messages only then).
    @discardableResult
    public mutating func insert(_ filter: TopicFilter, key: Key, value: Value) -> Value? {
        var node = uniqueRoot()
        return withUTF8Bytes(of: filter.string) { bytes in
            var levels = UTF8Levels(bytes)
            while let level = levels.next() {
                switch FilterLevel(level) {
                case .literal(let literal):
                    node = node.uniqueChildCreating(.literal(.borrowed(literal)))
                case .singleLevelWildcard:
                    node = node.uniqueChildCreating(.singleLevelWildcard)
                case .multiLevelWildcard:
                    // `#` is the last level of a valid filter.
                    return insert(filter, key: key, value: value, into: &node.multiLevelSubscribers)
                }
            }
            return insert(filter, key: key, value: value, into: &node.exactSubscribers)
        }
    }

    /// Removes the entry of `key` under `filter` and returns its value, or `nil` if there was none. Nodes left
    /// with neither entries nor children are removed with it.
    @discardableResult
    public mutating func remove(_ filter: TopicFilter, key: Key) -> Value? {
        // A miss must leave nodes shared with other copies alone, so look before copying anything.
        guard value(for: filter, key: key) != nil else { return nil }
        var node = uniqueRoot()
        return withUTF8Bytes(of: filter.string) { bytes in
            // The deepest edge whose parent keeps something else; below it the path holds only this entry, so
            // cutting that edge removes exactly the nodes the removal leaves empty.
            var cut: (parent: Node, edge: Edge)?
            var levels = UTF8Levels(bytes)
            while let level = levels.next() {
                let edge: Edge
                switch FilterLevel(level) {
                case .literal(let literal):
                    edge = .literal(.borrowed(literal))
                case .singleLevelWildcard:
                    edge = .singleLevelWildcard
                case .multiLevelWildcard:
                    let removed = remove(key, from: &node.multiLevelSubscribers)
                    prune(node, at: cut)
                    return removed
                }
                if cut == nil || node.holdsMore(than: edge) {
                    cut = (node, edge)
                }
                // The lookup above found the path, so every child exists.
                node = node.uniqueChild(edge)!
            }
            let removed = remove(key, from: &node.exactSubscribers)
            prune(node, at: cut)
            return removed
        }
    }

    /// The value stored for `key` under exactly `filter` (not under filters that match it).
    public func value(for filter: TopicFilter, key: Key) -> Value? {
        withUTF8Bytes(of: filter.string) { bytes in
            var node = root
            var levels = UTF8Levels(bytes)
            while let level = levels.next() {
                switch FilterLevel(level) {
                case .literal(let literal):
                    guard let child = node.literalChildren[literal] else { return nil }
                    node = child
                case .singleLevelWildcard:
                    guard let child = node.singleLevelChild else { return nil }
                    node = child
                case .multiLevelWildcard:
                    return node.multiLevelSubscribers?.values[key]
                }
            }
            return node.exactSubscribers?.values[key]
        }
    }

    /// Calls `body` with every entry whose filter matches `topic`, in no particular order.
    ///
    /// A key subscribed through several matching filters is visited once per filter; aggregating (highest QoS,
    /// subscription identifiers) is the caller's business.
    @inlinable
    public func forEachMatch(_ topic: TopicName, _ body: (Key, Value) throws -> Void) rethrows {
        try withUTF8Bytes(of: topic.string) { bytes in
            var remaining = UTF8Levels(bytes)
            // A valid topic has at least one level.
            guard let firstLevel = remaining.next() else { return }
            // [MQTT-4.7.2-1] Filters starting with `#` or `+` do not match topics starting with `$`.
            if bytes.first != UTF8Byte.dollar {
                if let subscribers = root.multiLevelSubscribers {
                    for (key, value) in subscribers.values { try body(key, value) }
                }
                try root.singleLevelChild?.visitMatches(remaining, body)
            }
            if let child = root.literalChildren[firstLevel] {
                try child.visitMatches(remaining, body)
            }
        }
    }

    /// Calls `body` with every entry, in no particular order.
    public func forEach(_ body: (TopicFilter, Key, Value) throws -> Void) rethrows {
        // An explicit stack, so a filter of thousands of levels cannot overflow the call stack.
        var pending = [root]
        while let node = pending.popLast() {
            if let subscribers = node.exactSubscribers {
                for (key, value) in subscribers.values { try body(subscribers.filter, key, value) }
            }
            if let subscribers = node.multiLevelSubscribers {
                for (key, value) in subscribers.values { try body(subscribers.filter, key, value) }
            }
            node.literalChildren.forEach { _, child in pending.append(child) }
            if let child = node.singleLevelChild { pending.append(child) }
        }
    }

    /// The number of nodes, the root included; tests use it to check that removal prunes.
    var nodeCount: Int {
        var count = 0
        var pending = [root]
        while let node = pending.popLast() {
            count += 1
            node.literalChildren.forEach { _, child in pending.append(child) }
            if let child = node.singleLevelChild { pending.append(child) }
        }
        return count
    }

    private mutating func uniqueRoot() -> Node {
        if !isKnownUniquelyReferenced(&root) {
            root = Node(copying: root)
        }
        return root
    }

    private mutating func insert(
        _ filter: TopicFilter,
        key: Key,
        value: Value,
        into subscribers: inout Subscribers?
    ) -> Value? {
        guard subscribers != nil else {
            subscribers = Subscribers(filter: filter, values: [key: value])
            count += 1
            filterCount += 1
            return nil
        }
        let replaced = subscribers!.values.updateValue(value, forKey: key)
        if replaced == nil { count += 1 }
        return replaced
    }

    private mutating func remove(_ key: Key, from subscribers: inout Subscribers?) -> Value? {
        guard let removed = subscribers?.values.removeValue(forKey: key) else { return nil }
        count -= 1
        if subscribers!.values.isEmpty {
            subscribers = nil
            filterCount -= 1
        }
        return removed
    }

    private func prune(_ node: Node, at cut: (parent: Node, edge: Edge)?) {
        guard node.isEmpty, let cut else { return }
        cut.parent.removeChild(cut.edge)
    }
}

// Nodes are classes, but a node shared between trie values is never mutated: every mutation first copies each
// node on its path that is not uniquely referenced (the discipline of the standard library's own collections).
// Keys that borrow bytes live only inside one call and are never stored.
extension SubscriptionTrie: @unchecked Sendable where Key: Sendable, Value: Sendable {}
