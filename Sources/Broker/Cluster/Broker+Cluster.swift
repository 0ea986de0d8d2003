import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Synchronization
import Topics

/// The broker's side of clustering: route reference counts, remote shared members and exclusive claims,
/// and delivery of messages forwarded by other nodes.
extension Broker {
    /// Connects the cluster layer. Call once, before clients connect.
    public func attach(cluster: any ClusterBridge) {
        precondition(self.cluster == nil, "a broker is attached to one cluster")
        self.cluster = cluster
    }

    /// Every route this node holds now, for a snapshot to a new peer.
    public func currentRoutes() -> [LocalRoute] {
        let routes = routeState.withLockedValue { state in
            state.filterCounts.keys.map { LocalRoute.filter($0) } + Array(state.sharedMembers)
        }
        let exclusive = exclusiveState.withLockedValue { state in
            state.local.map { filter, grant in
                LocalRoute.exclusive(filter: filter, clientID: grant.clientID, grantedAt: grant.grantedAt)
            }
        }
        return routes + exclusive
    }

    /// Members of a shared group this node knows, its own and other nodes'.
    public func sharedMemberCount(group: String, filter: String) -> Int {
        let filter = TopicFilter(uncheckedString: filter)
        return sharedSubscriptions.withGroups { trie in
            trie.value(for: filter, key: .init(group: group, filter: filter))?.members.count ?? 0
        }
    }

    // MARK: Local route bookkeeping

    /// A (filter, session) pair entered a shard's trie.
    func filterReferenceAdded(_ filter: TopicFilter) {
        routeState.withLockedValue { state in
            state.filterCounts[filter, default: 0] += 1
            // Announced under the lock, so announcements of one filter keep their order.
            if state.filterCounts[filter] == 1 { cluster?.localRouteChanged(.filter(filter), added: true) }
        }
    }

    func filterReferenceRemoved(_ filter: TopicFilter) {
        routeState.withLockedValue { state in
            guard let count = state.filterCounts[filter] else { return }
            if count <= 1 {
                state.filterCounts.removeValue(forKey: filter)
                cluster?.localRouteChanged(.filter(filter), added: false)
            } else {
                state.filterCounts[filter] = count - 1
            }
        }
    }

    func sharedMemberChanged(group: String, filter: TopicFilter, clientID: String, added: Bool) {
        let route = LocalRoute.sharedMember(group: group, filter: filter, clientID: clientID)
        routeState.withLockedValue { state in
            let changed = added ? state.sharedMembers.insert(route).inserted : state.sharedMembers.remove(route) != nil
            if changed { cluster?.localRouteChanged(route, added: added) }
        }
    }

    // MARK: Messages from other nodes

    /// Delivers messages another node forwarded to every matching local subscription, never further.
    public func deliverForwarded(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        for shard in shards where shard.subscriptionCount.load(ordering: .relaxed) > 0 {
            shard.execute { shard.deliverForwarded(messages) }
        }
    }

    /// Delivers a message another node chose a local shared-group member for; if that member has gone, the
    /// message goes to another member of the group instead (on this node or another), never dropped while
    /// one remains and `hops` allow.
    public func deliverForwardedShared(
        _ message: Message,
        group: String,
        filter: TopicFilter,
        clientID: String,
        hops: UInt8
    ) {
        let shard = shards[0]
        shard.execute {
            shard.receiveForwardedShared(message, group: group, filter: filter, clientID: clientID, hops: hops)
        }
    }

    // MARK: Other nodes' routes that the broker itself uses

    /// A shared-group member on another node: it takes part in this node's choices.
    public func remoteSharedMember(node: String, group: String, filter: TopicFilter, clientID: String, added: Bool) {
        if added {
            sharedSubscriptions.addRemote(node: node, group: group, filter: filter, clientID: clientID)
        } else {
            sharedSubscriptions.removeRemote(node: node, group: group, filter: filter, clientID: clientID)
        }
    }

    /// An exclusive subscription held on another node. When this node holds the same one, the earlier grant
    /// wins (ties: the lower node name) and the later one is revoked.
    public func remoteExclusive(node: String, filter: TopicFilter, clientID: String, grantedAt: UInt64, added: Bool) {
        let claim = RemoteExclusiveClaim(node: node, clientID: clientID, grantedAt: grantedAt)
        let loser: SessionID? = exclusiveState.withLockedValue { state in
            if !added {
                if state.remote[filter]?[node] == claim { state.remote[filter]![node] = nil }
                if state.remote[filter]?.isEmpty == true { state.remote.removeValue(forKey: filter) }
                return nil
            }
            state.remote[filter, default: [:]][node] = claim
            guard let local = state.local[filter] else { return nil }
            if local.clientID == clientID {
                // One client's session moved between nodes: the node it left yields.
                return local.moving ? local.session : nil
            }
            let remoteWins =
                grantedAt < local.grantedAt || (grantedAt == local.grantedAt && node < nodeName)
            return remoteWins ? local.session : nil
        }
        if let loser { revokeExclusive(filter, from: loser) }
    }

    /// Forgets every route of a node that is dead or has left.
    public func removeRoutes(ofNode node: String) {
        sharedSubscriptions.removeAllRemote(node: node)
        exclusiveState.withLockedValue { state in
            for filter in Array(state.remote.keys) {
                state.remote[filter]![node] = nil
                if state.remote[filter]!.isEmpty { state.remote.removeValue(forKey: filter) }
            }
        }
    }

    /// A session became a stub: its exclusive grants go to the node it moved to once that node claims them.
    func exclusiveHolderMoving(_ session: SessionID) {
        exclusiveState.withLockedValue { state in
            for (filter, grant) in state.local where grant.session == session {
                state.local[filter]!.moving = true
            }
        }
    }

    private func revokeExclusive(_ filter: TopicFilter, from session: SessionID) {
        for shard in shards {
            shard.execute {
                guard let target = shard.sessions[session] else { return }
                target.revokeExclusive(filter)
            }
        }
    }

    /// Wall-clock milliseconds since the Unix epoch: grant and claim times that other nodes compare.
    public static func millisecondsSinceEpoch() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }
}

/// Routes this node holds, counted so the cluster hears of each once.
struct LocalRouteState {
    var filterCounts: [TopicFilter: Int] = [:]
    var sharedMembers: Set<LocalRoute> = []
}

struct RemoteExclusiveClaim: Equatable {
    var node: String
    var clientID: String
    var grantedAt: UInt64
}

struct ExclusiveGrant {
    var session: SessionID
    var clientID: String
    var grantedAt: UInt64
    /// The session left for another node; its stub yields the grant to the new holder.
    var moving = false
}

/// Exclusive subscriptions: who holds each here, and what other nodes hold.
struct ExclusiveState {
    var local: [TopicFilter: ExclusiveGrant] = [:]
    /// Per filter, the claim each other node announced (two may overlap until their race is settled).
    var remote: [TopicFilter: [String: RemoteExclusiveClaim]] = [:]
}
