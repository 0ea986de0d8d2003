import MQTTCodec
import Topics

/// A session's subscription as stored in a shard's trie.
public struct SubscriptionEntry: Sendable, Equatable {
    public var options: MQTTPacket.SubscriptionOptions
    public var subscriptionIdentifier: UInt32?

    public init(options: MQTTPacket.SubscriptionOptions, subscriptionIdentifier: UInt32?) {
        self.options = options
        self.subscriptionIdentifier = subscriptionIdentifier
    }
}

/// One subscription as the session remembers it, so it can be removed or moved later.
struct SessionSubscription {
    var target: SubscriptionTarget
    var entry: SubscriptionEntry
}

/// What one session receives from one publish after overlapping subscriptions are merged:
/// the highest QoS, every subscription identifier, retain-as-published if any asked for it.
struct MatchAggregate {
    var qos: QoS
    var retainAsPublished: Bool
    var subscriptionIdentifiers: [UInt32]

    init(_ entry: SubscriptionEntry) {
        qos = entry.options.qos
        retainAsPublished = entry.options.retainAsPublished
        subscriptionIdentifiers = entry.subscriptionIdentifier.map { [$0] } ?? []
    }

    mutating func merge(_ entry: SubscriptionEntry) {
        qos = max(qos, entry.options.qos)
        retainAsPublished = retainAsPublished || entry.options.retainAsPublished
        if let id = entry.subscriptionIdentifier { subscriptionIdentifiers.append(id) }
    }
}
