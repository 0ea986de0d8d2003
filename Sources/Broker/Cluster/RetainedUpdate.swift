import Topics

/// A change of one topic's retained message, as nodes tell each other: the new message, or a tombstone when
/// the topic was cleared, with the version that orders it against every other change of the topic.
public struct RetainedUpdate: Sendable {
    public var topic: TopicName
    public var version: RetainedVersion
    /// The retained message from now on; nil when the topic was cleared.
    public var message: Message?

    public init(topic: TopicName, version: RetainedVersion, message: Message?) {
        self.topic = topic
        self.version = version
        self.message = message
    }

    public var isTombstone: Bool { message == nil }
}

/// What became of a batch of updates from other nodes.
public struct RetainedApplyResult: Sendable, Equatable {
    /// Newer than what the node held: stored (or, for a tombstone, the topic cleared).
    public var applied = 0
    /// Older than what the node held: ignored.
    public var stale = 0
    /// The very version the node held already (a snapshot repeats what updates carried): ignored.
    public var duplicates = 0
    /// A message for a new topic while the store held `maximumRetainedMessages`: not stored.
    public var rejectedFull = 0

    public init() {}
}

/// The retained store's own counters.
public struct RetainedStoreCounters: Sendable, Equatable {
    /// Tombstones removed because they reached their maximum age.
    public var tombstonesExpired: UInt64 = 0
    /// Tombstones removed, oldest first, to stay within the maximum count.
    public var tombstonesDropped: UInt64 = 0

    public init() {}
}

/// How long and how many tombstones a replicated retained store keeps.
public struct RetainedTombstonePolicy: Sendable, Equatable {
    /// A tombstone is removed once its timestamp is this much older than the wall clock.
    public var maximumAge: Duration
    /// Past this many tombstones the oldest are removed.
    public var maximumCount: Int

    public init(maximumAge: Duration = .seconds(86_400), maximumCount: Int = 100_000) {
        self.maximumAge = maximumAge
        self.maximumCount = maximumCount
    }

    var maximumAgeMilliseconds: UInt64 {
        let (seconds, attoseconds) = maximumAge.components
        guard seconds >= 0 else { return 0 }
        let (milliseconds, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1000)
        let (total, carry) = milliseconds.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000_000_000))
        return overflow || carry ? .max : total
    }
}
