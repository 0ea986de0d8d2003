/// One value per Topic Name (the retained message of each topic), indexed by level so that a new subscription
/// finds the retained topics its filter matches by walking the filter, not by testing every stored topic.
///
/// A value type: copies share nodes until one of them changes (copy-on-write, one path at a time).
/// Topics compare by their UTF-8 bytes, never by Unicode equivalence [MQTT-4.7.3-4].
public struct RetainedIndex<Value> {
    private var root = Node()

    /// The number of topics with a value.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Stores `value` for `topic`, and returns the value it replaced, or `nil` if the topic had none.
    @discardableResult
    public mutating func set(_ topic: TopicName, _ value: Value) -> Value? {
        var node = uniqueRoot()
        withUTF8Bytes(of: topic.string) { bytes in
            var levels = UTF8Levels(bytes)
            while let level = levels.next() {
                node = node.uniqueChildCreating(.borrowed(level))
            }
        }
        guard node.entry != nil else {
            node.entry = Entry(topic: topic, value: value)
            count += 1
            return nil
        }
        let replaced = node.entry!.value
        node.entry!.value = value
        return replaced
    }

    /// Removes the value of `topic` and returns it, or `nil` if there was none. Nodes left with neither a value
    /// nor children are removed with it.
    @discardableResult
    public mutating func removeValue(for topic: TopicName) -> Value? {
        // A miss must leave nodes shared with other copies alone, so look before copying anything.
        guard value(for: topic) != nil else { return nil }
        var node = uniqueRoot()
        let removed = withUTF8Bytes(of: topic.string) { bytes in
            // The deepest edge whose parent keeps something else; below it the path holds only this topic, so
            // cutting that edge removes exactly the nodes the removal leaves empty.
            var cut: (parent: Node, level: TopicLevel)?
            var levels = UTF8Levels(bytes)
            while let level = levels.next() {
                let key = TopicLevel.borrowed(level)
                if cut == nil || node.entry != nil || node.children.count > 1 {
                    cut = (node, key)
                }
                // The lookup above found the path, so every child exists.
                node = node.uniqueChild(key)!
            }
            let removed = node.entry?.value
            node.entry = nil
            if node.isEmpty, let cut {
                cut.parent.children.remove(cut.level)
            }
            return removed
        }
        count -= 1
        return removed
    }

    /// The value stored for `topic`.
    public func value(for topic: TopicName) -> Value? {
        withUTF8Bytes(of: topic.string) { bytes in
            var node = root
            var levels = UTF8Levels(bytes)
            while let level = levels.next() {
                guard let child = node.children[level] else { return nil }
                node = child
            }
            return node.entry?.value
        }
    }

    /// Calls `body` with every stored topic that `filter` matches, and its value, in no particular order.
    public func forEachMatch(_ filter: TopicFilter, _ body: (TopicName, Value) throws -> Void) rethrows {
        try withUTF8Bytes(of: filter.string) { bytes in
            // Explicit stacks, so a filter of thousands of levels cannot overflow the call stack.
            var pending = [(node: root, remaining: UTF8Levels(bytes))]
            var subtrees = [Node]()
            while let (node, remaining) = pending.popLast() {
                var remaining = remaining
                guard let level = remaining.next() else {
                    if let entry = node.entry { try body(entry.topic, entry.value) }
                    continue
                }
                // [MQTT-4.7.2-1] A filter starting with `#` or `+` does not match topics starting with `$`.
                let skipsDollarLevels = node === root
                switch FilterLevel(level) {
                case .literal(let literal):
                    if let child = node.children[literal] { pending.append((child, remaining)) }
                case .singleLevelWildcard:
                    node.children.forEach { level, child in
                        if !(skipsDollarLevels && level.startsWithDollar) { pending.append((child, remaining)) }
                    }
                case .multiLevelWildcard:
                    // `sport/#` matches `sport` itself and everything below it.
                    if let entry = node.entry { try body(entry.topic, entry.value) }
                    node.children.forEach { level, child in
                        if !(skipsDollarLevels && level.startsWithDollar) { subtrees.append(child) }
                    }
                    while let subtree = subtrees.popLast() {
                        if let entry = subtree.entry { try body(entry.topic, entry.value) }
                        subtree.children.forEach { _, child in subtrees.append(child) }
                    }
                }
            }
        }
    }

    /// Calls `body` with every stored topic and its value, in no particular order.
    public func forEach(_ body: (TopicName, Value) throws -> Void) rethrows {
        var pending = [root]
        while let node = pending.popLast() {
            if let entry = node.entry { try body(entry.topic, entry.value) }
            node.children.forEach { _, child in pending.append(child) }
        }
    }

    /// The number of nodes, the root included; tests use it to check that removal prunes.
    var nodeCount: Int {
        var count = 0
        var pending = [root]
        while let node = pending.popLast() {
            count += 1
            node.children.forEach { _, child in pending.append(child) }
        }
        return count
    }

    private mutating func uniqueRoot() -> Node {
        if !isKnownUniquelyReferenced(&root) {
            root = Node(copying: root)
        }
        return root
    }
}

// Nodes are classes, but a node shared between index values is never mutated: every mutation first copies each
// node on its path that is not uniquely referenced (the discipline of the standard library's own collections).
extension RetainedIndex: @unchecked Sendable where Value: Sendable {}
