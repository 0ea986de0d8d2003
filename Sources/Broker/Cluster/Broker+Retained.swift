import NIOCore
import Topics

/// The broker's side of retained replication: local retained writes go to the cluster stamped with their
/// version, and writes from other nodes are merged into the store, last writer wins.
extension Broker {
    /// A retained PUBLISH from a local client (or a will): stored, then announced to the cluster.
    func storeRetained(_ message: Message, on shard: Shard) {
        switch retained.store(message) {
        case .stored(let version):
            cluster?.retainedChanged(RetainedUpdate(topic: message.topic, version: version, message: message))
        case .cleared(let version):
            cluster?.retainedChanged(RetainedUpdate(topic: message.topic, version: version, message: nil))
        case .rejectedFull:
            shard.countDrop(.queueFull)
        }
    }

    /// Makes clears leave tombstones, kept within `policy`, so they replicate. The cluster layer calls this
    /// once, before clients connect; a node outside a cluster keeps none.
    public func enableRetainedReplication(_ policy: RetainedTombstonePolicy) {
        retained.keepTombstones(policy)
    }

    /// Merges writes made on other nodes: each applies only if its version is newer than the stored one.
    /// Never announced again: each node tells the cluster of its own writes.
    public func applyRetained(_ updates: [RetainedUpdate]) -> RetainedApplyResult {
        guard !updates.isEmpty else { return RetainedApplyResult() }
        return retained.apply(updates, now: .now())
    }

    /// Every retained entry with its version, tombstones included, for a peer that has just linked.
    public func retainedSnapshot() -> [RetainedUpdate] {
        retained.snapshot(now: .now())
    }

    /// What the store holds for `topic`: a message or a tombstone, with its version; nil when nothing.
    public func retainedEntry(for topic: TopicName) -> RetainedUpdate? {
        retained.entry(for: topic)
    }

    /// Removes tombstones past their age; returns how many went.
    @discardableResult
    public func expireRetainedTombstones() -> Int {
        retained.expireTombstones()
    }

    /// Tombstones held (cleared topics the cluster still has to hear of).
    public var retainedTombstoneCount: Int { retained.tombstoneCount }

    public var retainedStoreCounters: RetainedStoreCounters { retained.counters }
}
