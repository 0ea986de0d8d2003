import Broker
import ClusterProtocol
import Logging
import MQTTCodec
import NIOCore

/// Wills that outlive their node (cluster/PROTOCOL.md, "Wills"). The node a client is connected to deposits
/// the client's will with a second node, its guardian; if the first node is declared dead, the guardian
/// publishes the will (after its delay, unless the client has meanwhile connected somewhere).
extension ClusterRouter {
    /// The member that keeps `clientID`'s will for this node: rendezvous over the other alive members.
    func guardian(of clientID: String) -> String? {
        DirectoryPlacement.owner(
            of: clientID,
            among: alivePeers.keys.filter { links[$0] != nil && !sessions.drainingPeers.contains($0) }
        )
    }

    public func willChanged(clientID: String, will: WillMessage?) {
        let wire = will.map { SessionSnapshot.wire(.init(will: $0, delay: $0.delayInterval)) }
        loop.execute {
            if let wire {
                self.deposit(clientID, wire)
            } else if let previous = self.wills.deposited.removeValue(forKey: clientID) {
                self.send(.willWithdraw(clientID: clientID), to: previous.guardian)
            }
        }
    }

    private func deposit(_ clientID: String, _ will: PeerFrame.SessionState.PendingWill) {
        let previous = wills.deposited[clientID]
        guard let guardian = guardian(of: clientID) else {
            wills.deposited.removeValue(forKey: clientID)
            return
        }
        if let previous, previous.guardian != guardian {
            send(.willWithdraw(clientID: clientID), to: previous.guardian)
        }
        wills.deposited[clientID] = (guardian, will)
        send(.willDeposit(clientID: clientID, will: will), to: guardian)
    }

    /// Membership changed: wills whose guardian changed go to the new one.
    func redepositWills() {
        for (clientID, deposit) in wills.deposited where guardian(of: clientID) != deposit.guardian {
            self.deposit(clientID, deposit.will)
        }
    }

    func receivedWillFrame(_ frame: PeerFrame, from node: String) {
        switch frame {
        case .willDeposit(let clientID, let will):
            wills.held[node, default: [:]][clientID] = will
        case .willWithdraw(let clientID):
            wills.held[node]?.removeValue(forKey: clientID)
        default:
            break
        }
    }

    /// `node` was declared dead: the wills it deposited here are published, each after its delay unless its
    /// client has a session somewhere by then (it reconnected).
    func willOwnerDied(_ node: String) {
        guard let orphaned = wills.held.removeValue(forKey: node), !orphaned.isEmpty else { return }
        logger.info("publishing the wills of a dead node", metadata: ["node": "\(node)", "wills": "\(orphaned.count)"])
        for (clientID, will) in orphaned {
            guard let message = SessionSnapshot.pendingWill(from: will) else { continue }
            loop.scheduleTask(in: .seconds(Int64(will.delay))) {
                Task {
                    if let holder = await self.sessionHolder(of: clientID), holder != node {
                        return  // the client is back: a reconnect within the delay cancels the will
                    }
                    self.wills.counters.published &+= 1
                    self.broker.publishOrphanedWill(message.will, clientID: clientID)
                }
            }
        }
    }

    public func willCounters() async -> WillCounters {
        (try? await loop.submit {
            var counters = self.wills.counters
            counters.held = self.wills.held.values.reduce(0) { $0 + $1.count }
            return counters
        }.get()) ?? WillCounters()
    }
}

/// Wills kept across nodes. Lives on the router's loop.
struct WillCustody {
    /// By depositing node, then client identifier: wills this node publishes if that node dies.
    var held: [String: [String: PeerFrame.SessionState.PendingWill]] = [:]
    /// Wills of this node's clients, with the member keeping each.
    var deposited: [String: (guardian: String, will: PeerFrame.SessionState.PendingWill)] = [:]
    var counters = WillCounters()
}

public struct WillCounters: Sendable, Equatable {
    /// Wills this node keeps for clients of other nodes.
    public var held: Int = 0
    /// Wills this node published because the node of their client died.
    public var published: UInt64 = 0

    public init() {}
}
