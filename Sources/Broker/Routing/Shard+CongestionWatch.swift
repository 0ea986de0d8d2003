import NIOCore

/// Looks at the shard's sessions that fell behind, once per interval, and marks those that made no
/// progress for a whole interval as stalled: they stop slowing publishers (see ``CongestionState``).
extension Shard {
    /// How long a session that is behind may go without progress before it counts as stalled: long
    /// enough for a slow client (a pause, a slow link), short enough that a dead one costs publishers
    /// little.
    static let congestionWatchInterval = TimeAmount.seconds(1)

    struct CongestionWatchEntry {
        let session: Session
        /// The session's progress count when it last changed, and when that was seen.
        var progressSeen: UInt32
        var seenAt: NIODeadline
    }

    /// Starts watching `session`, which just fell behind. On this loop.
    func watchCongestion(of session: Session) {
        let entry = CongestionWatchEntry(
            session: session,
            progressSeen: session.congestion.progress,
            seenAt: eventLoop.now
        )
        // One that recovered and fell behind again before the last look is watched afresh.
        if let index = congestionWatch.firstIndex(where: { $0.session === session }) {
            congestionWatch[index] = entry
        } else {
            congestionWatch.append(entry)
        }
        scheduleCongestionLook()
    }

    private func scheduleCongestionLook() {
        guard !congestionWatchScheduled, !congestionWatch.isEmpty else { return }
        congestionWatchScheduled = true
        eventLoop.scheduleTask(in: Self.congestionWatchInterval) { self.lookAtCongestion() }
    }

    private func lookAtCongestion() {
        congestionWatchScheduled = false
        let now = eventLoop.now
        congestionWatch.removeAll { !$0.session.congestion.isBehind }
        for index in congestionWatch.indices {
            var entry = congestionWatch[index]
            let session = entry.session
            if session.congestion.progress != entry.progressSeen {
                entry.progressSeen = session.congestion.progress
                entry.seenAt = now
                congestionWatch[index] = entry
            } else if now - entry.seenAt >= Self.congestionWatchInterval {
                let change = session.congestion.watched(progressSeen: entry.progressSeen)
                if change.slowsPublishersChanged { statistics.subscribersStalled &+= 1 }
                session.apply(change)
            }
        }
        scheduleCongestionLook()
    }
}
