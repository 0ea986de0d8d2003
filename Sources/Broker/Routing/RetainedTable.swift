import NIOCore
import Topics

/// The retained message of every topic, with the version of its last write, and tombstones for cleared
/// topics while the cluster needs them. A value with no locks and no clocks of its own: the wall time and
/// the monotonic time are parameters, so tests drive both; ``RetainedStore`` is its locked shell.
///
/// Rules (cluster/PROTOCOL.md, "Retained messages"):
/// - A local write is stamped with the node's hybrid logical clock, so it is newer than every version this
///   node has stored or heard of, and always applies.
/// - A remote write applies only if its version is greater than the stored one (last writer wins); an older
///   or equal one changes nothing. Either way its timestamp is merged into the clock.
/// - A clear (a retained PUBLISH with an empty payload [MQTT-3.3.1-10] [MQTT-3.3.1-11]) leaves a tombstone
///   with its version when replication is on (``tombstonePolicy``), so an older message that arrives later
///   cannot bring the topic back. With replication off it simply removes the message.
/// - Tombstones are never matched by subscriptions and do not count toward `capacity`. They are removed once
///   older than the policy's maximum age, and the oldest are removed past its maximum count.
/// - A message that has expired turns into a tombstone of the same version.
struct RetainedTable {
    struct Entry {
        var version: RetainedVersion
        /// nil: a tombstone.
        var message: Message?
    }

    enum LocalWrite: Equatable {
        case stored(RetainedVersion)
        case cleared(RetainedVersion)
        /// The table holds `capacity` messages and the topic had none.
        case rejectedFull
    }

    enum RemoteWrite: Equatable {
        case applied
        case stale
        case duplicate
        case rejectedFull
    }

    /// Messages kept at most; tombstones aside.
    let capacity: Int
    /// This node's name: the origin of local writes.
    let node: String
    /// Whether and how tombstones are kept; nil for a node outside any cluster.
    var tombstonePolicy: RetainedTombstonePolicy?
    private(set) var clock = HybridLogicalClock()
    private(set) var messageCount = 0
    private(set) var tombstoneCount = 0
    private(set) var counters = RetainedStoreCounters()
    private var index = RetainedIndex<Entry>()
    private var tombstones = TombstoneQueue()

    init(capacity: Int, node: String, tombstonePolicy: RetainedTombstonePolicy? = nil) {
        self.capacity = capacity
        self.node = node
        self.tombstonePolicy = tombstonePolicy
    }

    /// The entry of `topic`, tombstone or message, expired or not.
    func entry(for topic: TopicName) -> Entry? {
        index.value(for: topic)
    }

    // MARK: Writes

    /// A retained PUBLISH from a client of this node: replaces the topic's message, or clears it when the
    /// payload is empty.
    mutating func writeLocal(_ message: Message, wallMilliseconds: UInt64) -> LocalWrite {
        let existing = index.value(for: message.topic)
        let clears = message.payload.readableBytes == 0
        if !clears, existing?.message == nil, messageCount >= capacity { return .rejectedFull }
        let version = RetainedVersion(timestamp: clock.now(wallMilliseconds: wallMilliseconds), origin: node)
        put(Entry(version: version, message: clears ? nil : message), for: message.topic, replacing: existing)
        expireTombstones(wallMilliseconds: wallMilliseconds)
        return clears ? .cleared(version) : .stored(version)
    }

    /// A write made on another node.
    mutating func writeRemote(_ update: RetainedUpdate, wallMilliseconds: UInt64, now: NIODeadline) -> RemoteWrite {
        clock.receive(update.version.timestamp, wallMilliseconds: wallMilliseconds)
        let existing = index.value(for: update.topic)
        if let existing {
            if update.version == existing.version { return .duplicate }
            if update.version < existing.version { return .stale }
        }
        // A message that expired on the way clears the topic as of its version, as it would have here.
        let message = update.message.flatMap { $0.isExpired(at: now) ? nil : $0 }
        if message != nil, existing?.message == nil, messageCount >= capacity { return .rejectedFull }
        put(Entry(version: update.version, message: message), for: update.topic, replacing: existing)
        expireTombstones(wallMilliseconds: wallMilliseconds)
        return .applied
    }

    private mutating func put(_ entry: Entry, for topic: TopicName, replacing existing: Entry?) {
        if let existing {
            if existing.message != nil { messageCount -= 1 } else { tombstoneCount -= 1 }
        }
        guard entry.message != nil || tombstonePolicy != nil else {
            if existing != nil { index.removeValue(for: topic) }
            return
        }
        index.set(topic, entry)
        if entry.message != nil {
            messageCount += 1
            return
        }
        tombstoneCount += 1
        tombstones.insert(TombstoneQueue.Item(version: entry.version, topic: topic))
        let maximumCount = tombstonePolicy?.maximumCount ?? 0
        while tombstoneCount > maximumCount, tombstones.count > 0 {
            if removeOldestTombstone() { counters.tombstonesDropped &+= 1 }
        }
        // Replaced tombstones stay queued until they come out; never let them outnumber the live ones.
        if tombstones.count > 2 * tombstoneCount + 1024 {
            let index = self.index
            tombstones.compact { Self.isLive($0, in: index) }
        }
    }

    // MARK: Reads

    /// Every live retained message matching `filter`. Messages that have expired become tombstones (or go,
    /// outside a cluster) on the way.
    mutating func messages(matching filter: TopicFilter, now: NIODeadline, wallMilliseconds: UInt64) -> [Message] {
        var found: [Message] = []
        var expired: [(TopicName, Entry)] = []
        index.forEachMatch(filter) { topic, entry in
            guard let message = entry.message else { return }
            if message.isExpired(at: now) {
                expired.append((topic, entry))
            } else {
                found.append(message)
            }
        }
        for (topic, entry) in expired {
            put(Entry(version: entry.version, message: nil), for: topic, replacing: entry)
        }
        if !expired.isEmpty { expireTombstones(wallMilliseconds: wallMilliseconds) }
        return found
    }

    /// Every entry, tombstones included, for a peer that has just linked: an expired message is given as a
    /// tombstone of its version, and a tombstone past its age is left out.
    func snapshot(now: NIODeadline, wallMilliseconds: UInt64) -> [RetainedUpdate] {
        var updates: [RetainedUpdate] = []
        updates.reserveCapacity(index.count)
        index.forEach { topic, entry in
            if let message = entry.message {
                let live = message.isExpired(at: now) ? nil : message
                updates.append(RetainedUpdate(topic: topic, version: entry.version, message: live))
            } else if !isPastAge(entry.version, wallMilliseconds: wallMilliseconds) {
                updates.append(RetainedUpdate(topic: topic, version: entry.version, message: nil))
            }
        }
        return updates
    }

    // MARK: Tombstones

    /// Removes the tombstones older than the maximum age; returns how many went.
    @discardableResult
    mutating func expireTombstones(wallMilliseconds: UInt64) -> Int {
        var expired = 0
        // The queue is ordered by version, whose first key is the wall time: the expired come out first.
        while let oldest = tombstones.oldest, isPastAge(oldest.version, wallMilliseconds: wallMilliseconds) {
            if removeOldestTombstone() { expired += 1 }
        }
        counters.tombstonesExpired &+= UInt64(expired)
        return expired
    }

    private func isPastAge(_ version: RetainedVersion, wallMilliseconds: UInt64) -> Bool {
        guard let policy = tombstonePolicy else { return true }
        let age =
            wallMilliseconds > version.timestamp.wallMilliseconds
            ? wallMilliseconds - version.timestamp.wallMilliseconds : 0
        return age >= policy.maximumAgeMilliseconds
    }

    /// Whether a queued entry is still the topic's tombstone (not replaced since).
    private static func isLive(_ item: TombstoneQueue.Item, in index: RetainedIndex<Entry>) -> Bool {
        guard let entry = index.value(for: item.topic) else { return false }
        return entry.message == nil && entry.version == item.version
    }

    /// Takes the oldest queued entry out; returns whether it was a live tombstone (and so removed).
    private mutating func removeOldestTombstone() -> Bool {
        guard let oldest = tombstones.removeOldest() else { return false }
        guard Self.isLive(oldest, in: index) else { return false }
        index.removeValue(for: oldest.topic)
        tombstoneCount -= 1
        return true
    }
}
