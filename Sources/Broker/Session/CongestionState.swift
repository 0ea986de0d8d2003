/// Whether one online session is falling behind its publishers, and whether that should slow them.
///
/// A session falls behind when its queue passes the watermark (QoS 1 and 2) or when a QoS 0
/// message found its connection's send buffer full. Publishers then pause (see
/// `Broker.isCongested`), so that the subscriber catches up instead of losing messages. A session
/// that makes no progress at all for a whole watch interval (no acknowledgement frees its queue,
/// its send buffer does not drain) has stopped reading: it is *stalled*, and no longer slows
/// anyone, so that one dead client cannot hold a whole broker back. Its first progress makes it
/// count again.
///
/// Pure state: every change returns whether the session's place in the broker's count changed.
struct CongestionState {
    /// The queue is at or past the watermark.
    private(set) var queueBehind = false
    /// A QoS 0 message was dropped because the connection could not take it; cleared once its send
    /// buffer has drained.
    private(set) var sendBufferFull = false
    /// No progress for a whole watch interval while behind.
    private(set) var stalled = false
    /// Counts progress while behind, so that a watch can tell whether any was made since it last looked.
    private(set) var progress: UInt32 = 0

    /// Whether the session is behind in any way.
    var isBehind: Bool { queueBehind || sendBufferFull }

    /// Whether the session slows publishers: behind, and not stalled.
    var slowsPublishers: Bool { isBehind && !stalled }

    /// The result of a change: whether ``slowsPublishers`` changed, and whether the session just
    /// fell behind (and so needs watching).
    struct Change: Equatable {
        var slowsPublishersChanged: Bool
        var fellBehind: Bool
    }

    /// The queue length was compared with the watermark.
    mutating func setQueueBehind(_ behind: Bool) -> Change {
        update { $0.queueBehind = behind }
    }

    /// A QoS 0 message found the send buffer full.
    mutating func sendBufferFilled() -> Change {
        update { $0.sendBufferFull = true }
    }

    /// The send buffer drained: progress, and QoS 0 messages go out again.
    mutating func sendBufferDrained() -> Change {
        update {
            if $0.sendBufferFull { $0.madeProgress() }
            $0.sendBufferFull = false
        }
    }

    /// Queued messages went out because the client acknowledged earlier ones.
    mutating func queueDrained() -> Change {
        update { $0.madeProgress() }
    }

    /// The session has no connection: nothing it does can slow publishers.
    mutating func disconnected() -> Change {
        update {
            $0.queueBehind = false
            $0.sendBufferFull = false
        }
    }

    /// A watch looked and saw no progress since `progressSeen`: the session is stalled.
    mutating func watched(progressSeen: UInt32) -> Change {
        update {
            if $0.isBehind, $0.progress == progressSeen { $0.stalled = true }
        }
    }

    private mutating func madeProgress() {
        guard isBehind else { return }
        progress &+= 1
        stalled = false
    }

    private mutating func update(_ change: (inout CongestionState) -> Void) -> Change {
        let wasSlowing = slowsPublishers
        let wasBehind = isBehind
        change(&self)
        if !isBehind { stalled = false }
        return Change(slowsPublishersChanged: wasSlowing != slowsPublishers, fellBehind: !wasBehind && isBehind)
    }
}
