import Synchronization

/// How a session tells the broker it is falling behind, so that publishers slow down (see
/// ``CongestionState`` and `Broker.isCongested`).
extension Session {
    /// An online subscriber whose queue passes half its capacity is falling behind: publishers are
    /// slowed before its queue overflows and acknowledged messages must be dropped.
    func updateCongestion() {
        let behind = connection != nil && outbound.queuedCount >= broker.congestionWatermark
        apply(congestion.setQueueBehind(behind))
    }

    /// The connection's send buffer drained below its low mark: QoS 0 messages go out again.
    func connectionWritable(_ writable: any SessionConnection) {
        guard connection === writable else { return }
        apply(congestion.sendBufferDrained())
    }

    /// Keeps the broker's count of sessions that slow publishers in step with this one, and has
    /// the shard watch a session that fell behind for stalling.
    func apply(_ change: CongestionState.Change) {
        if change.fellBehind { shard.watchCongestion(of: self) }
        guard change.slowsPublishersChanged else { return }
        if congestion.slowsPublishers {
            broker.congestedSessions.add(1, ordering: .relaxed)
        } else {
            broker.congestedSessions.subtract(1, ordering: .relaxed)
        }
    }
}
