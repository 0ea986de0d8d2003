/// The directory records this node keeps: for each client identifier it owns (see
/// ``DirectoryPlacement``), which node holds the session. Pure: the router feeds it frames and acts on
/// what it returns.
///
/// Claims are applied in the order they arrive, so two simultaneous CONNECTs on two nodes are ordered
/// here: the later claim's previous holder is the earlier claimant, which hands the session on once it has
/// it. Registrations (after membership changed) may find two holders; the later claim wins.
struct SessionDirectory {
    struct Record: Equatable {
        var holder: String
        var claimedAt: UInt64
    }

    private(set) var records: [String: Record] = [:]
    /// Numbers the claims in the order they were taken.
    private(set) var generation: UInt64 = 0

    var count: Int { records.count }

    func holder(of clientID: String) -> String? {
        records[clientID]?.holder
    }

    /// `node` accepted a CONNECT for `clientID`; returns who held the session before (nil: nobody) and the
    /// claim's generation.
    mutating func claim(
        _ clientID: String,
        by node: String,
        at claimedAt: UInt64
    ) -> (previous: String?, generation: UInt64) {
        let previous = records[clientID]?.holder
        records[clientID] = Record(holder: node, claimedAt: claimedAt)
        generation &+= 1
        return (previous, generation)
    }

    /// `node` says it holds `clientID`. Returns the holder that must give its copy up, when two nodes now
    /// claim one identifier, with the one that keeps it. A registration as old as the record is the same
    /// session having moved (pushed on with its claim time): the registrant holds it now.
    mutating func register(
        _ clientID: String,
        by node: String,
        at claimedAt: UInt64
    ) -> (loser: String, winner: String)? {
        let incoming = Record(holder: node, claimedAt: claimedAt)
        guard let existing = records[clientID], existing.holder != node else {
            records[clientID] = incoming
            return nil
        }
        if Self.isLater(incoming, than: existing) {
            records[clientID] = incoming
            return (existing.holder, node)
        }
        return (node, existing.holder)
    }

    /// The session `node` held ended; a record that names another holder stays.
    mutating func ended(_ clientID: String, by node: String) {
        if records[clientID]?.holder == node { records.removeValue(forKey: clientID) }
    }

    /// A node died or left: its sessions died with it.
    mutating func removeHolder(_ node: String) {
        records = records.filter { $0.value.holder != node }
    }

    /// Forgets records this node no longer owns.
    mutating func keepOnly(where owns: (String) -> Bool) {
        records = records.filter { owns($0.key) }
    }

    private static func isLater(_ lhs: Record, than rhs: Record) -> Bool {
        lhs.claimedAt >= rhs.claimedAt
    }
}
