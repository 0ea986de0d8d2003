/// Deliveries counted across every subscriber of a run.
///
/// A non-shared subscription is one stream per publisher for its subscriber. A shared group is one
/// subscription whose messages are split among its members, so its members' streams from the same
/// publisher are merged: a sequence delivered to two members is a duplicate, and each member's own
/// order still counts for reordering.
public struct DeliveryTally: Sendable, Equatable {
    /// Every arrival, duplicates included.
    public var received: UInt64 = 0
    /// Distinct (subscription, publisher, sequence) arrivals.
    public var unique: UInt64 = 0
    public var duplicated: UInt64 = 0
    public var reordered: UInt64 = 0
    /// Payloads without a readable header, or with a sequence too far out to track.
    public var malformed: UInt64 = 0
    /// Deliveries that should have happened: from the publishers' sent counts when they are known,
    /// otherwise the span of sequences each stream saw.
    public var expected: UInt64 = 0
    /// Whether `expected` came from the publishers' counts (exact) or from the sequences (inferred).
    public var expectedIsExact = false

    public init() {}

    public var lost: UInt64 { expected > unique ? expected - unique : 0 }
}

/// The final state of one subscriber.
public struct SubscriberResult: Sendable {
    public var subscriberIndex: Int
    public var filter: BenchTopicFilter
    public var accounting: SubscriberAccounting

    public init(subscriberIndex: Int, filter: BenchTopicFilter, accounting: SubscriberAccounting) {
        self.subscriberIndex = subscriberIndex
        self.filter = filter
        self.accounting = accounting
    }
}

/// What one publisher sent.
public struct PublisherResult: Sendable, Equatable {
    public var publisherIndex: Int
    public var topic: String
    public var sent: UInt64

    public init(publisherIndex: Int, topic: String, sent: UInt64) {
        self.publisherIndex = publisherIndex
        self.topic = topic
        self.sent = sent
    }
}

extension DeliveryTally {
    /// Tallies the subscribers' streams; `publishers` (when the run published) makes `expected` exact.
    public static func tally(subscribers: [SubscriberResult], publishers: [PublisherResult]?) -> DeliveryTally {
        var tally = DeliveryTally()
        var inferredExpected: UInt64 = 0
        for members in subscriptions(of: subscribers).values {
            var merged: [UInt32: (seen: SequenceBitSet, lowest: UInt64, highest: UInt64, memberUnique: UInt64)] = [:]
            for member in members {
                tally.malformed += member.accounting.malformed
                for (publisher, stream) in member.accounting.streams {
                    tally.received += stream.received
                    tally.duplicated += stream.duplicated
                    tally.reordered += stream.reordered
                    guard let lowest = stream.lowest, let highest = stream.highest else { continue }
                    if var entry = merged.removeValue(forKey: publisher) {
                        // Both sets are within one publisher's run, so the union fits the span
                        // unless a payload was corrupt; then the member's set is left out.
                        if entry.seen.formUnion(stream.seen) {
                            entry.lowest = min(entry.lowest, lowest)
                            entry.highest = max(entry.highest, highest)
                            entry.memberUnique += stream.unique
                        } else {
                            tally.malformed += stream.unique
                        }
                        merged[publisher] = entry
                    } else {
                        merged[publisher] = (stream.seen, lowest, highest, stream.unique)
                    }
                }
            }
            for entry in merged.values {
                tally.unique += entry.seen.count
                // A sequence two members both received counts as a duplicate.
                tally.duplicated += entry.memberUnique - min(entry.memberUnique, entry.seen.count)
                inferredExpected += entry.highest - entry.lowest + 1
            }
        }
        if let publishers {
            let filters = subscriptions(of: subscribers).values.compactMap { $0.first?.filter }
            tally.expected = expectedDeliveries(of: publishers, to: filters)
            tally.expectedIsExact = true
        } else {
            tally.expected = inferredExpected
        }
        return tally
    }

    /// Subscribers grouped by subscription: each non-shared subscriber alone, shared ones by
    /// (share name, filter), which is what identifies a shared subscription.
    static func subscriptions(of subscribers: [SubscriberResult]) -> [SubscriptionKey: [SubscriberResult]] {
        Dictionary(grouping: subscribers) { subscriber in
            if let group = subscriber.filter.shareGroup {
                .shared(group: group, filter: subscriber.filter.matchFilter)
            } else {
                .subscriber(subscriber.subscriberIndex)
            }
        }
    }

    enum SubscriptionKey: Hashable {
        case subscriber(Int)
        case shared(group: String, filter: String)
    }

    /// Σ over publishers of sent × the subscriptions (one filter each) that match its topic.
    public static func expectedDeliveries(of publishers: [PublisherResult], to subscriptions: [BenchTopicFilter])
        -> UInt64
    {
        // Filters without wildcards match one topic: count them by name, and only walk the others.
        var exact: [String: UInt64] = [:]
        var wildcards: [BenchTopicFilter: UInt64] = [:]
        for filter in subscriptions {
            if filter.hasWildcard {
                wildcards[filter, default: 0] += 1
            } else {
                exact[filter.matchFilter, default: 0] += 1
            }
        }
        var expected: UInt64 = 0
        for publisher in publishers where publisher.sent > 0 {
            var matching = exact[publisher.topic] ?? 0
            for (filter, count) in wildcards where filter.matches(topic: publisher.topic) {
                matching += count
            }
            expected += publisher.sent * matching
        }
        return expected
    }
}
