import ClusterProtocol
import NIOConcurrencyHelpers
import Synchronization
import Topics

/// Other nodes' plain routes, filter → nodes, for matching a publish on any event loop. A filter held by
/// many subscribers on one node is one entry: nodes announce filters, not subscribers.
final class RemoteRouteTable: Sendable {
    private let trie = NIOLockedValueBox(SubscriptionTrie<String, Void>())
    /// Routes in the trie, readable without the lock: a publish with no remote routes takes no lock.
    private let routeCount = Atomic<Int>(0)

    /// The nodes with a route matching `topic`, each once.
    func nodes(matching topic: TopicName) -> [String] {
        guard routeCount.load(ordering: .relaxed) > 0 else { return [] }
        return trie.withLockedValue { trie in
            var nodes: [String] = []
            trie.forEachMatch(topic) { node, _ in
                if !nodes.contains(node) { nodes.append(node) }
            }
            return nodes
        }
    }

    func add(_ filter: TopicFilter, node: String) {
        trie.withLockedValue { trie in
            if trie.insert(filter, key: node, value: ()) == nil { routeCount.add(1, ordering: .relaxed) }
        }
    }

    func remove(_ filter: TopicFilter, node: String) {
        trie.withLockedValue { trie in
            if trie.remove(filter, key: node) != nil { routeCount.subtract(1, ordering: .relaxed) }
        }
    }

    /// Filter → nodes, sorted, for the admin API.
    func table() -> [(filter: String, nodes: [String])] {
        var byFilter: [String: [String]] = [:]
        trie.withLockedValue { trie in
            trie.forEach { filter, node, _ in byFilter[filter.string, default: []].append(node) }
        }
        return byFilter.map { ($0.key, $0.value.sorted()) }.sorted { $0.filter < $1.filter }
    }

    var count: Int { trie.withLockedValue { $0.count } }
}

/// What this node knows of one peer's routes: the boot and sequence they came with, and the routes.
struct PeerRouteState {
    var bootID: UInt64
    var sequence: UInt64
    var routes: Set<PeerFrame.Route> = []
}
