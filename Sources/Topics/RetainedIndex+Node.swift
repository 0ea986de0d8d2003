extension RetainedIndex {
    /// The topic stored at a node, kept whole so matches can be reported without rebuilding it from levels.
    struct Entry {
        let topic: TopicName
        var value: Value
    }

    /// One level of the index. Nodes are classes shared copy-on-write between index values: a mutation first
    /// replaces every node on its path that `isKnownUniquelyReferenced` reports as shared.
    ///
    /// As in `SubscriptionTrie.Node`, the runtime's exclusivity checks are off for the node's properties: nodes are
    /// reached only through the index value, whose own accesses are still checked.
    final class Node {
        @exclusivity(unchecked) var children = LevelMap<Node>()
        /// The topic whose last level leads here, if one is stored.
        @exclusivity(unchecked) var entry: Entry?

        init() {}

        /// A shallow copy: the children become shared with `other`.
        init(copying other: Node) {
            children = other.children
            entry = other.entry
        }

        deinit {
            // Release the subtree one node at a time, so a topic of thousands of levels (`a/a/a/…`) cannot
            // overflow the stack with nested deinits.
            guard !children.isEmpty else { return }
            var pending = [Node]()
            children.removeAll(into: &pending)
            while var node = pending.popLast() {
                if isKnownUniquelyReferenced(&node) {
                    node.children.removeAll(into: &pending)
                }
            }
        }

        var isEmpty: Bool { children.isEmpty && entry == nil }

        /// The child for `level`, made unique first if another index shares it; `nil` if there is none.
        func uniqueChild(_ level: TopicLevel) -> Node? {
            children.uniqueChild(level) { Node(copying: $0) }
        }

        /// The child for `level`, unique, created if missing.
        func uniqueChildCreating(_ level: TopicLevel) -> Node {
            if let child = uniqueChild(level) { return child }
            let child = Node()
            children.insert(level, child)
            return child
        }
    }
}
