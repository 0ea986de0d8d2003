import Admin
import Cluster
import Membership
import NIOHTTP1

/// The admin API's endpoints over a running node.
enum AdminRoutes {
    static func make(gossip: GossipService?, nodeName: String) -> [AdminRoute] {
        [
            AdminRoute("/api/v1/cluster/members") { _ in
                guard let gossip else {
                    return .error(.serviceUnavailable, "clustering is off on \(nodeName) (cluster.enabled = false)")
                }
                return AdminResponse(json: membersJSON(await gossip.members()))
            }
        ]
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
