extension SubscriptionTrie {
    /// The subscriptions whose filters end at one node, all of one filter, which is kept for `forEach`.
    @usableFromInline
    struct Subscribers {
        @usableFromInline let filter: TopicFilter
        @usableFromInline var values: [Key: Value]

        @usableFromInline
        init(filter: TopicFilter, values: [Key: Value]) {
            self.filter = filter
            self.values = values
        }
    }

    /// One level of the trie. A node is reached from its parent by a literal level or by `+`; `#` is always the
    /// last level of a filter, so it needs no node: its subscribers sit on the node of the parent level.
    ///
    /// Nodes are classes shared copy-on-write between trie values: a mutation first replaces every node on its
    /// path that `isKnownUniquelyReferenced` reports as shared, so a node reachable from two tries never changes.
    ///
    /// The runtime's exclusivity checks are off for the node's properties: they were a quarter of the instructions of
    /// a match, and would only repeat the checks on the trie value itself, through which alone nodes are reached and
    /// which the compiler and runtime still enforce (a `forEachMatch` body cannot change the trie it walks).
    @usableFromInline
    final class Node {
        @exclusivity(unchecked) @usableFromInline var literalChildren = LevelMap<Node>()
        @exclusivity(unchecked) @usableFromInline var singleLevelChild: Node?
        /// Filters that end here, such as `a/b` on the node reached by `a` then `b`.
        @exclusivity(unchecked) @usableFromInline var exactSubscribers: Subscribers?
        /// Filters that are this node's path plus `#`, such as `a/b/#` on that same node, or `#` on the root.
        @exclusivity(unchecked) @usableFromInline var multiLevelSubscribers: Subscribers?

        @usableFromInline
        init() {}

        /// A shallow copy: the children become shared with `other`.
        init(copying other: Node) {
            literalChildren = other.literalChildren
            singleLevelChild = other.singleLevelChild
            exactSubscribers = other.exactSubscribers
            multiLevelSubscribers = other.multiLevelSubscribers
        }

        deinit {
            // Release the subtree one node at a time. Left to itself, each node would release its children from
            // its own deinit, and a filter of thousands of levels (`a/a/a/…`) would overflow the stack.
            guard !literalChildren.isEmpty || singleLevelChild != nil else { return }
            var pending = [Node]()
            takeChildren(into: &pending)
            while var node = pending.popLast() {
                if isKnownUniquelyReferenced(&node) {
                    node.takeChildren(into: &pending)
                }
            }
        }

        private func takeChildren(into pending: inout [Node]) {
            literalChildren.removeAll(into: &pending)
            if let singleLevelChild {
                pending.append(singleLevelChild)
                self.singleLevelChild = nil
            }
        }

        var isEmpty: Bool {
            literalChildren.isEmpty && singleLevelChild == nil && exactSubscribers == nil
                && multiLevelSubscribers == nil
        }

        /// Whether the node must stay when the child behind `edge` goes away.
        func holdsMore(than edge: Edge) -> Bool {
            if exactSubscribers != nil || multiLevelSubscribers != nil { return true }
            switch edge {
            case .literal: return literalChildren.count > 1 || singleLevelChild != nil
            case .singleLevelWildcard: return !literalChildren.isEmpty
            }
        }

        func child(_ edge: Edge) -> Node? {
            switch edge {
            case .literal(let level): level.withBytes { literalChildren[$0] }
            case .singleLevelWildcard: singleLevelChild
            }
        }

        /// The child behind `edge`, made unique first if another trie shares it; `nil` if there is none.
        func uniqueChild(_ edge: Edge) -> Node? {
            switch edge {
            case .literal(let level):
                return literalChildren.uniqueChild(level) { Node(copying: $0) }
            case .singleLevelWildcard:
                guard singleLevelChild != nil else { return nil }
                // Checked in place, so the check does not count a reference of its own.
                if !isKnownUniquelyReferenced(&singleLevelChild) {
                    singleLevelChild = Node(copying: singleLevelChild!)
                }
                return singleLevelChild
            }
        }

        /// The child behind `edge`, unique, created if missing.
        func uniqueChildCreating(_ edge: Edge) -> Node {
            if let child = uniqueChild(edge) { return child }
            let child = Node()
            switch edge {
            case .literal(let level): literalChildren.insert(level, child)
            case .singleLevelWildcard: singleLevelChild = child
            }
            return child
        }

        func removeChild(_ edge: Edge) {
            switch edge {
            case .literal(let level): literalChildren.remove(level)
            case .singleLevelWildcard: singleLevelChild = nil
            }
        }

        /// Calls `body` for the subscribers of every filter that matches the topic whose levels after this node
        /// are `remaining`. Loops down the trie and recurses only where both a literal and a `+` child match,
        /// so the stack grows with the trie's branching, not with the topic's depth.
        @inlinable
        func visitMatches(_ remaining: UTF8Levels, _ body: (Key, Value) throws -> Void) rethrows {
            var node = self
            var remaining = remaining
            while true {
                // `a/#` matches `a` itself and every topic below it (5.0 §4.7.1.2).
                if let subscribers = node.multiLevelSubscribers {
                    for (key, value) in subscribers.values { try body(key, value) }
                }
                guard let level = remaining.next() else {
                    if let subscribers = node.exactSubscribers {
                        for (key, value) in subscribers.values { try body(key, value) }
                    }
                    return
                }
                switch (node.literalChildren[level], node.singleLevelChild) {
                case (nil, nil):
                    return
                case (let literalChild?, nil):
                    node = literalChild
                case (nil, let singleLevelChild?):
                    node = singleLevelChild
                case (let literalChild?, let singleLevelChild?):
                    try literalChild.visitMatches(remaining, body)
                    node = singleLevelChild
                }
            }
        }
    }

    /// How a node is reached from its parent.
    enum Edge {
        case literal(TopicLevel)
        case singleLevelWildcard
    }
}
