import Broker
import ClusterProtocol
import Logging
import MQTTCodec
import NIOCore
import Topics

/// Retained messages on the peer links (cluster/PROTOCOL.md, "Retained messages"): this node's own retained
/// writes go to every peer in RETAINED_UPDATES, the whole store goes to a peer in RETAINED_SNAPSHOT when its
/// link comes up, and what peers send is merged into the broker's store, last writer wins.
///
/// Owned by ``ClusterRouter`` and confined to its loop; the router calls in at a few hook points.
final class RetainedReplication {
    let broker: Broker
    private let logger: Logger
    /// Local writes waiting for the next flush, oldest first. Drained by a task queued behind the first of
    /// them, so it holds what the shards hand over in one turn of the loop.
    private var pending: [RetainedUpdate] = []
    private var sweep: RepeatedTask?
    private(set) var counters = RetainedReplicationCounters()

    /// Entries per RETAINED_UPDATES or RETAINED_SNAPSHOT frame, at most; also about 1 MiB of payload.
    static let entriesPerFrame = 1024
    static let bytesPerFrame = 1 << 20

    init(broker: Broker, loop: any EventLoop, policy: RetainedTombstonePolicy, logger: Logger) {
        self.broker = broker
        self.logger = logger
        broker.enableRetainedReplication(policy)
        // Tombstones also expire on writes; the sweep covers a store nobody writes to.
        let interval = Self.sweepInterval(forMaximumAge: policy.maximumAge)
        sweep = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [broker] _ in
            broker.expireRetainedTombstones()
        }
    }

    /// A quarter of the maximum age, between 100 ms and a minute.
    static func sweepInterval(forMaximumAge age: Duration) -> TimeAmount {
        // Anything over four minutes sweeps every minute: clamp first, so no age can overflow.
        let seconds = min(max(age.components.seconds, 0), 240)
        let milliseconds = seconds * 1000 + age.components.attoseconds / 1_000_000_000_000_000
        return .milliseconds(min(60_000, max(100, milliseconds / 4)))
    }

    func stop() {
        sweep?.cancel()
        sweep = nil
    }

    // MARK: Local writes out

    /// Queues a local write; returns true when the queue was empty, so the caller schedules a ``flush(to:)``.
    func enqueue(_ update: RetainedUpdate) -> Bool {
        pending.append(update)
        return pending.count == 1
    }

    /// Sends the queued writes to every linked peer. A peer without a link gets them in its next snapshot.
    func flush(to links: some Collection<PeerLink>) {
        let updates = pending
        pending.removeAll(keepingCapacity: true)
        let entries = wire(updates)
        guard !entries.isEmpty else { return }
        let frames = Self.chunks(entries)
        for link in links {
            for frame in frames { link.write(.retainedUpdates(PeerFrame.RetainedUpdates(entries: frame))) }
            link.flush()
            counters.updatesSent &+= UInt64(entries.count)
        }
    }

    /// Writes the whole store to a peer whose link has just come up (the caller flushes). Both sides do
    /// this, so after a partition heals or a node joins every node converges.
    func sendSnapshot(on link: PeerLink) {
        let entries = wire(broker.retainedSnapshot())
        let frames = Self.chunks(entries)
        if frames.isEmpty {
            link.write(.retainedSnapshot(PeerFrame.RetainedSnapshot(isLast: true, entries: [])))
        }
        for (index, frame) in frames.enumerated() {
            let snapshot = PeerFrame.RetainedSnapshot(isLast: index == frames.count - 1, entries: frame)
            link.write(.retainedSnapshot(snapshot))
        }
        counters.snapshotsSent &+= 1
        counters.snapshotEntriesSent &+= UInt64(entries.count)
    }

    private func wire(_ updates: [RetainedUpdate]) -> [PeerFrame.RetainedEntry] {
        var entries: [PeerFrame.RetainedEntry] = []
        entries.reserveCapacity(updates.count)
        for update in updates {
            let entry = Self.entry(from: update)
            if case .message(let publish) = entry.content,
                publish.payload.readableBytes >= PeerFrameCodec.maximumFrameLength - 65_536
            {
                counters.droppedTooLarge &+= 1  // the frame cap is far above any sane message
                continue
            }
            entries.append(entry)
        }
        return entries
    }

    // MARK: Peers' writes in

    /// Entries of RETAINED_UPDATES (`isLastOfSnapshot` nil) or of one RETAINED_SNAPSHOT frame, from `peer`.
    func received(_ entries: [PeerFrame.RetainedEntry], from peer: String, isLastOfSnapshot: Bool?) {
        switch isLastOfSnapshot {
        case nil: counters.updatesReceived &+= UInt64(entries.count)
        case .some: counters.snapshotEntriesReceived &+= UInt64(entries.count)
        }
        let now = NIODeadline.now()
        var updates: [RetainedUpdate] = []
        updates.reserveCapacity(entries.count)
        for entry in entries {
            guard let update = Self.update(from: entry, now: now) else {
                counters.invalid &+= 1
                continue
            }
            updates.append(update)
        }
        let result = broker.applyRetained(updates)
        counters.applied &+= UInt64(result.applied)
        counters.ignoredStale &+= UInt64(result.stale)
        counters.ignoredDuplicate &+= UInt64(result.duplicates)
        counters.rejectedFull &+= UInt64(result.rejectedFull)
        if result.rejectedFull > 0 {
            logger.warning(
                "retained messages from a peer not stored: the store is full",
                metadata: ["peer": "\(peer)", "count": "\(result.rejectedFull)"]
            )
        }
        if isLastOfSnapshot == true {
            counters.snapshotsReceived &+= 1
            logger.debug("retained snapshot applied", metadata: ["peer": "\(peer)"])
        }
    }

    // MARK: Conversions

    /// The wire form of a write; a message that has expired meanwhile goes as a tombstone of its version.
    static func entry(from update: RetainedUpdate) -> PeerFrame.RetainedEntry {
        var content = PeerFrame.RetainedEntry.Content.tombstone
        if let message = update.message, var publish = ClusterRouter.publish(from: message) {
            publish.retain = true
            content = .message(publish)
        }
        return PeerFrame.RetainedEntry(
            topic: update.topic.string,
            wallMilliseconds: update.version.timestamp.wallMilliseconds,
            logical: update.version.timestamp.logical,
            origin: update.version.origin,
            content: content
        )
    }

    /// A write from the wire, or nil when its topic is not a valid topic name.
    static func update(from entry: PeerFrame.RetainedEntry, now: NIODeadline) -> RetainedUpdate? {
        guard let topic = try? TopicName(validating: entry.topic) else { return nil }
        let version = RetainedVersion(
            timestamp: HybridLogicalClock.Timestamp(wallMilliseconds: entry.wallMilliseconds, logical: entry.logical),
            origin: entry.origin
        )
        switch entry.content {
        case .message(let publish):
            guard let message = ClusterRouter.message(from: publish, now: now) else { return nil }
            return RetainedUpdate(topic: topic, version: version, message: message)
        case .tombstone:
            return RetainedUpdate(topic: topic, version: version, message: nil)
        }
    }

    /// Frames of at most ``entriesPerFrame`` entries or about ``bytesPerFrame`` bytes each.
    static func chunks(_ entries: [PeerFrame.RetainedEntry]) -> [[PeerFrame.RetainedEntry]] {
        var chunks: [[PeerFrame.RetainedEntry]] = []
        var current: [PeerFrame.RetainedEntry] = []
        var bytes = 0
        for entry in entries {
            var size = entry.topic.utf8.count + entry.origin.utf8.count + 64
            if case .message(let publish) = entry.content {
                size += publish.payload.readableBytes + 2 * entry.topic.utf8.count
            }
            if !current.isEmpty, current.count == entriesPerFrame || bytes + size > bytesPerFrame {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(entry)
            bytes += size
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}

/// What retained replication did on this node, for the admin API.
public struct RetainedReplicationCounters: Sendable, Equatable {
    /// Entries sent in RETAINED_UPDATES, counted once per peer.
    public var updatesSent: UInt64 = 0
    /// Entries received in RETAINED_UPDATES.
    public var updatesReceived: UInt64 = 0
    public var snapshotsSent: UInt64 = 0
    public var snapshotEntriesSent: UInt64 = 0
    /// Snapshots received whole (their last frame arrived).
    public var snapshotsReceived: UInt64 = 0
    public var snapshotEntriesReceived: UInt64 = 0
    /// Received entries newer than what the node held, and so stored.
    public var applied: UInt64 = 0
    /// Received entries older than what the node held.
    public var ignoredStale: UInt64 = 0
    /// Received entries of the very version the node held.
    public var ignoredDuplicate: UInt64 = 0
    /// Received messages for new topics while the store was full.
    public var rejectedFull: UInt64 = 0
    /// Received entries whose topic or PUBLISH the broker cannot use.
    public var invalid: UInt64 = 0
    /// Local messages too large for a peer frame.
    public var droppedTooLarge: UInt64 = 0
    /// Tombstones removed at their maximum age (`cluster.retained_tombstone_ttl`).
    public var tombstonesExpired: UInt64 = 0
    /// Tombstones removed, oldest first, past the maximum count.
    public var tombstonesDropped: UInt64 = 0
    /// Retained messages and tombstones held now.
    public var messages = 0
    public var tombstones = 0

    public init() {}
}

extension ClusterRouter {
    /// Retained replication counters, with the store's tombstone counts and sizes.
    public func retainedCounters() async -> RetainedReplicationCounters {
        var counters = (try? await loop.submit { self.retained.counters }.get()) ?? RetainedReplicationCounters()
        let broker = retained.broker
        let store = broker.retainedStoreCounters
        counters.tombstonesExpired = store.tombstonesExpired
        counters.tombstonesDropped = store.tombstonesDropped
        counters.messages = broker.retainedMessageCount
        counters.tombstones = broker.retainedTombstoneCount
        return counters
    }
}
