import NIOConcurrencyHelpers
import NIOCore
import Topics

/// The retained message of every topic, shared by all event loops: a ``RetainedTable`` behind a lock, with
/// the wall clock it is given.
///
/// Reads happen on SUBSCRIBE and writes on PUBLISH with RETAIN set, both rare next to
/// ordinary publishes, so one lock is simpler than sharding and costs nothing on the hot path.
final class RetainedStore: Sendable {
    private let table: NIOLockedValueBox<RetainedTable>
    /// Milliseconds since the Unix epoch, for the hybrid logical clock and the age of tombstones.
    private let wallClock: @Sendable () -> UInt64

    init(
        capacity: Int,
        node: String = "local",
        wallClock: @escaping @Sendable () -> UInt64 = { Broker.millisecondsSinceEpoch() }
    ) {
        self.table = NIOLockedValueBox(RetainedTable(capacity: capacity, node: node))
        self.wallClock = wallClock
    }

    /// Replaces the topic's retained message; an empty payload clears it [MQTT-3.3.1-10/11].
    func store(_ message: Message) -> RetainedTable.LocalWrite {
        let wall = wallClock()
        return table.withLockedValue { $0.writeLocal(message, wallMilliseconds: wall) }
    }

    /// Applies writes made on other nodes, each only if newer than what is stored.
    func apply(_ updates: [RetainedUpdate], now: NIODeadline) -> RetainedApplyResult {
        let wall = wallClock()
        return table.withLockedValue { table in
            var result = RetainedApplyResult()
            for update in updates {
                switch table.writeRemote(update, wallMilliseconds: wall, now: now) {
                case .applied: result.applied += 1
                case .stale: result.stale += 1
                case .duplicate: result.duplicates += 1
                case .rejectedFull: result.rejectedFull += 1
                }
            }
            return result
        }
    }

    /// Every live retained message matching `filter`; expired ones are removed on the way.
    func messages(matching filter: TopicFilter, now: NIODeadline) -> [Message] {
        let wall = wallClock()
        return table.withLockedValue { $0.messages(matching: filter, now: now, wallMilliseconds: wall) }
    }

    /// The entry of one topic: its message or tombstone, with its version.
    func entry(for topic: TopicName) -> RetainedUpdate? {
        table.withLockedValue { table in
            table.entry(for: topic).map { RetainedUpdate(topic: topic, version: $0.version, message: $0.message) }
        }
    }

    /// Every entry, tombstones included, for a peer.
    func snapshot(now: NIODeadline) -> [RetainedUpdate] {
        let wall = wallClock()
        return table.withLockedValue { $0.snapshot(now: now, wallMilliseconds: wall) }
    }

    /// Starts keeping tombstones for the cluster, within `policy`.
    func keepTombstones(_ policy: RetainedTombstonePolicy) {
        let wall = wallClock()
        table.withLockedValue { table in
            table.tombstonePolicy = policy
            table.expireTombstones(wallMilliseconds: wall)
        }
    }

    @discardableResult
    func expireTombstones() -> Int {
        let wall = wallClock()
        return table.withLockedValue { $0.expireTombstones(wallMilliseconds: wall) }
    }

    /// Retained messages held (tombstones are not messages).
    var count: Int { table.withLockedValue { $0.messageCount } }

    var tombstoneCount: Int { table.withLockedValue { $0.tombstoneCount } }

    var counters: RetainedStoreCounters { table.withLockedValue { $0.counters } }
}
