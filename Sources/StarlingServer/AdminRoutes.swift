import Admin
import Cluster
import Membership
import NIOHTTP1

/// The admin API's endpoints over a running node.
enum AdminRoutes {
    static func make(node: StarlingNode, nodeName: String) -> [AdminRoute] {
        let clusteringOff = AdminResponse.error(
            .serviceUnavailable,
            "clustering is off on \(nodeName) (cluster.enabled = false)"
        )
        return [
            AdminRoute("/api/v1/cluster/members") { _ in
                guard let gossip = node.gossip else { return clusteringOff }
                return AdminResponse(json: membersJSON(await gossip.members()))
            },
            AdminRoute("/api/v1/cluster/routes") { _ in
                guard let router = node.router else { return clusteringOff }
                return AdminResponse(json: routesJSON(router.routeTable()))
            },
            AdminRoute("/api/v1/cluster/links") { _ in
                guard let router = node.router else { return clusteringOff }
                return AdminResponse(
                    json: linksJSON(await router.linkViews(), retained: await router.retainedCounters())
                )
            },
        ]
    }

    /// `[{"filter", "nodes": [...]}]`: the routes other nodes hold, as this node sees them.
    static func routesJSON(_ table: [(filter: String, nodes: [String])]) -> String {
        JSONText.array(
            table.map { row in
                JSONText.object([
                    ("filter", JSONText.quoted(row.filter)),
                    ("nodes", JSONText.array(row.nodes.map(JSONText.quoted))),
                ])
            }
        )
    }

    /// `{"links": [{"peer", "bootId", "framesIn", ...}], "replayed", "dropped", ..., "retained": {...}}`.
    static func linksJSON(
        _ view: (links: [ClusterRouter.LinkView], counters: ClusterCounters),
        retained: RetainedReplicationCounters
    ) -> String {
        let links = view.links.map { link in
            JSONText.object([
                ("peer", JSONText.quoted(link.peer)),
                ("bootId", JSONText.quoted(String(link.bootID, radix: 16))),
                ("framesIn", String(link.counters.framesIn)),
                ("framesOut", String(link.counters.framesOut)),
                ("bytesIn", String(link.counters.bytesIn)),
                ("bytesOut", String(link.counters.bytesOut)),
                ("forwardsIn", String(link.counters.forwardsIn)),
                ("forwardsOut", String(link.counters.forwardsOut)),
                ("buffered", String(link.buffered)),
                ("dropped", String(link.dropped)),
            ])
        }
        return JSONText.object([
            ("links", JSONText.array(links)),
            ("replayed", String(view.counters.replayed)),
            ("dropped", String(view.counters.dropped)),
            ("droppedNoLink", String(view.counters.droppedNoLink)),
            ("duplicatesSkipped", String(view.counters.duplicatesSkipped)),
            ("snapshotRequests", String(view.counters.snapshotRequests)),
            ("slowRoutePropagations", String(view.counters.slowRoutePropagations)),
            ("droppedTooLarge", String(view.counters.droppedTooLarge)),
            ("retained", retainedJSON(retained)),
        ])
    }

    /// Retained replication: entries sent and received, what was ignored and why, tombstones.
    static func retainedJSON(_ counters: RetainedReplicationCounters) -> String {
        JSONText.object([
            ("messages", String(counters.messages)),
            ("tombstones", String(counters.tombstones)),
            ("updatesSent", String(counters.updatesSent)),
            ("updatesReceived", String(counters.updatesReceived)),
            ("snapshotsSent", String(counters.snapshotsSent)),
            ("snapshotEntriesSent", String(counters.snapshotEntriesSent)),
            ("snapshotsReceived", String(counters.snapshotsReceived)),
            ("snapshotEntriesReceived", String(counters.snapshotEntriesReceived)),
            ("applied", String(counters.applied)),
            ("ignoredStale", String(counters.ignoredStale)),
            ("ignoredDuplicate", String(counters.ignoredDuplicate)),
            ("rejectedFull", String(counters.rejectedFull)),
            ("invalid", String(counters.invalid)),
            ("droppedTooLarge", String(counters.droppedTooLarge)),
            ("tombstonesExpired", String(counters.tombstonesExpired)),
            ("tombstonesDropped", String(counters.tombstonesDropped)),
        ])
    }

    /// `[{"name", "address", "state", "incarnation", "bootId"}]`; the boot id is hex text because JSON
    /// numbers lose precision above 2^53.
    static func membersJSON(_ members: [Member]) -> String {
        JSONText.array(
            members.map { member in
                JSONText.object([
                    ("name", JSONText.quoted(member.name)),
                    ("address", JSONText.quoted(member.address)),
                    ("state", JSONText.quoted(member.state.description)),
                    ("incarnation", String(member.incarnation)),
                    ("bootId", JSONText.quoted(String(member.bootID, radix: 16))),
                ])
            }
        )
    }
}
