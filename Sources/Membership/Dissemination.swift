/// The piggyback queue (SWIM §4.1, "Infection-Style Dissemination").
///
/// Holds at most one pending update per member name: a newer claim replaces an older one, which no longer needs
/// spreading. Each message takes the updates sent fewest times so far (priority ones first, then the newest), and
/// an update is dropped once it has gone out `limit` times, λ·ceil(log10(N + 1)).
struct Dissemination: Hashable, Sendable {
    struct Pending: Hashable, Sendable {
        var update: MemberUpdate
        var transmissions: Int
        /// Leaves jump the queue so peers learn of them before the node goes away.
        var isPriority: Bool
        /// Enqueue order; newer first among equals, and a deterministic tie-break.
        var order: UInt64
    }

    private(set) var pending: [String: Pending] = [:]
    private var nextOrder: UInt64 = 0

    var count: Int { pending.count }

    mutating func enqueue(_ update: MemberUpdate, isPriority: Bool = false) {
        nextOrder += 1
        pending[update.identity.name] = Pending(
            update: update,
            transmissions: 0,
            isPriority: isPriority,
            order: nextOrder
        )
    }

    /// The updates to piggyback on one message, at most `maxCount` and `byteBudget` bytes of them, each counted as
    /// transmitted.
    /// An update about `recipient` goes first: a suspect learns of its suspicion from the very probe that tests it.
    mutating func take(for recipient: String?, byteBudget: Int, maxCount: Int, limit: Int) -> [MemberUpdate] {
        guard !pending.isEmpty, byteBudget > 0, maxCount > 0 else { return [] }
        let ordered = pending.values.sorted { left, right in
            let leftFirst = left.update.identity.name == recipient
            let rightFirst = right.update.identity.name == recipient
            if leftFirst != rightFirst { return leftFirst }
            if left.isPriority != right.isPriority { return left.isPriority }
            if left.transmissions != right.transmissions { return left.transmissions < right.transmissions }
            return left.order > right.order
        }
        var taken: [MemberUpdate] = []
        var remaining = byteBudget
        for entry in ordered where taken.count < maxCount {
            let size = GossipCodec.encodedSize(of: entry.update)
            guard size <= remaining else { continue }
            remaining -= size
            taken.append(entry.update)
            let name = entry.update.identity.name
            if entry.transmissions + 1 >= limit {
                pending[name] = nil
            } else {
                pending[name]?.transmissions += 1
            }
        }
        return taken
    }

    mutating func remove(name: String) {
        pending[name] = nil
    }
}
