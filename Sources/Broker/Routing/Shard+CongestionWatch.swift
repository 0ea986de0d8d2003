import NIOCore

/// Looks at the shard's sessions that fell behind, once per interval, and marks those that made no
/// progress since the last look as stalled: they stop slowing publishers (see ``CongestionState``).
extension Shard {
    /// How long a session that is behind may go without progress before it counts as stalled.
    static let congestionWatchInterval = TimeAmount.milliseconds(100)

    struct CongestionWatchEntry {
        let session: Session
        var progressSeen: UInt32
    }

    /// Starts watching `session`, which just fell behind. On this loop.
    func watchCongestion(of session: Session) {
        guard !congestionWatch.contains(where: { $0.session === session }) else { return }
        congestionWatch.append(CongestionWatchEntry(session: session, progressSeen: session.congestion.progress))
        guard !congestionWatchScheduled else { return }
        congestionWatchScheduled = true
        eventLoop.scheduleTask(in: Self.congestionWatchInterval) { self.lookAtCongestion() }
    }

    private func lookAtCongestion() {
        congestionWatchScheduled = false
        congestionWatch.removeAll { !$0.session.congestion.isBehind }
        for index in congestionWatch.indices {
            let session = congestionWatch[index].session
            session.apply(session.congestion.watched(progressSeen: congestionWatch[index].progressSeen))
            congestionWatch[index].progressSeen = session.congestion.progress
        }
        guard !congestionWatch.isEmpty else { return }
        congestionWatchScheduled = true
        eventLoop.scheduleTask(in: Self.congestionWatchInterval) { self.lookAtCongestion() }
    }
}
