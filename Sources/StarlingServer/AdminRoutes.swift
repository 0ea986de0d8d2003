import Admin
import Broker
import Cluster
import Foundation
import Membership
import NIOCore
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
            AdminRoute("/api/v1/cluster/sessions") { _ in
                guard let router = node.router else { return clusteringOff }
                return AdminResponse(
                    json: sessionCountersJSON(await router.sessionCounters(), wills: await router.willCounters())
                )
            },
            AdminRoute("/api/v1/clients/{clientid}") { parameters in
                let clientID = parameters["clientid"] ?? ""
                let view: ClientSessionView?
                if let router = node.router {
                    view = await router.describeSession(clientID)
                } else {
                    view = try? await node.broker.sessionView(clientID: clientID).get()
                }
                guard let view else {
                    return .error(.notFound, "no session for client \"\(clientID)\" in the cluster")
                }
                return AdminResponse(json: clientJSON(view))
            },
            AdminRoute("/api/v1/drain", method: .POST) { _ in
                node.requestDrain()
                return AdminResponse(
                    status: .accepted,
                    json: JSONText.object([
                        ("draining", "true"),
                        ("node", JSONText.quoted(nodeName)),
                    ])
                )
            },
        ]
    }

    /// `{"clientid", "node", "connected", "protocolVersion", "subscriptions": [...], "inflight", "queued",
    /// "sessionExpiryInterval", "will"}`.
    static func clientJSON(_ view: ClientSessionView) -> String {
        JSONText.object([
            ("clientid", JSONText.quoted(view.clientID)),
            ("node", JSONText.quoted(view.node)),
            ("connected", view.connected ? "true" : "false"),
            ("protocolVersion", JSONText.quoted(view.protocolVersion)),
            ("subscriptions", JSONText.array(view.subscriptions.map(JSONText.quoted))),
            ("inflight", String(view.inflight)),
            ("queued", String(view.queued)),
            ("sessionExpiryInterval", String(view.sessionExpiryInterval)),
            ("will", view.hasWill ? "true" : "false"),
        ])
    }

    /// The session registry's and will custody's counters.
    static func sessionCountersJSON(_ counters: SessionCounters, wills: WillCounters) -> String {
        JSONText.object([
            ("heldSessions", String(counters.heldSessions)),
            ("directoryRecords", String(counters.directoryRecords)),
            ("claims", String(counters.claims)),
            ("takeovers", String(counters.takeovers)),
            ("handedOff", String(counters.handedOff)),
            ("pushed", String(counters.pushed)),
            ("adoptedPushes", String(counters.adoptedPushes)),
            ("claimTimeouts", String(counters.claimTimeouts)),
            ("fetchTimeouts", String(counters.fetchTimeouts)),
            ("evictions", String(counters.evictions)),
            ("droppedWhileMoving", String(counters.droppedWhileMoving)),
            ("refusedFetches", String(counters.refusedFetches)),
            ("takeoverMillisecondsMax", String(format: "%.3f", counters.takeoverMillisecondsMax)),
            ("takeoverMillisecondsLast", String(format: "%.3f", counters.takeoverMillisecondsLast)),
            ("willsHeld", String(wills.held)),
            ("willsPublished", String(wills.published)),
        ])
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
