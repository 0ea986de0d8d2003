import Logging
import MQTTCodec
import NIOCore
import Synchronization
import Topics

/// The part of the broker that belongs to one event loop: the sessions created on it and
/// the trie of their subscriptions.
///
/// A publish arriving on loop K is matched inline against K's trie and handed to every
/// other shard that holds subscriptions, batched: one task per target loop per tick, never
/// one per message. The receiving shard matches against its own trie.
///
/// `@unchecked Sendable`: every mutable stored property is read and written only on
/// `eventLoop` (checked with `assertInEventLoop` at the entry points); `subscriptionCount`
/// is atomic because other loops read it to skip empty shards.
public final class Shard: @unchecked Sendable {
    public let index: Int
    public let eventLoop: any EventLoop
    unowned let broker: Broker

    var sessions: [SessionID: Session] = [:]
    var subscriptions = SubscriptionTrie<SessionID, SubscriptionEntry>()
    let subscriptionCount = Atomic<Int>(0)
    public internal(set) var statistics = ShardStatistics()

    /// Messages waiting to be handed to other shards at the end of this tick, by shard index.
    private var outbox: [[RoutedMessage]]
    private var outboxFlushScheduled = false
    /// Reused across publishes so matching allocates nothing in the steady state.
    private var matchScratch: [SessionID: MatchAggregate] = [:]
    var random = SystemRandomNumberGenerator()
    /// Sessions that fell behind, watched for stalling (Shard+CongestionWatch.swift).
    var congestionWatch: [CongestionWatchEntry] = []
    var congestionWatchScheduled = false
    private var originCounter: UInt64 = 0

    init(index: Int, eventLoop: any EventLoop, shardCount: Int, broker: Broker) {
        self.index = index
        self.eventLoop = eventLoop
        self.broker = broker
        self.outbox = Array(repeating: [], count: shardCount)
    }

    /// Runs `body` on this shard's loop: inline when already there.
    func execute(_ body: @escaping @Sendable () -> Void) {
        if eventLoop.inEventLoop {
            body()
        } else {
            eventLoop.execute(body)
        }
    }

    // MARK: Routing

    /// Delivers `message` to every matching subscriber in the process. On this loop.
    func route(_ message: Message, publisherClientID: String?) {
        eventLoop.assertInEventLoop()
        statistics.messagesRouted &+= 1
        deliverMatches(message)
        for shard in broker.shards where shard.index != index {
            if shard.subscriptionCount.load(ordering: .relaxed) > 0 {
                enqueue(.match(message), for: shard.index)
            }
        }
        broker.cluster?.forward(message, fromShard: index)
        if !broker.sharedSubscriptions.isEmpty {
            let choices = broker.sharedSubscriptions.choose(
                for: message.topic,
                publisherClientID: publisherClientID,
                fromShard: index,
                random: &random
            )
            for choice in choices {
                dispatchShared(message, to: choice, publisherClientID: publisherClientID)
            }
        }
    }

    private func dispatchShared(
        _ message: Message,
        to choice: SharedSubscriptionTable.Choice,
        publisherClientID: String?,
        hops: UInt8 = 0
    ) {
        if let node = choice.remoteNode {
            broker.cluster?.forwardShared(
                message,
                toNode: node,
                group: choice.group,
                filter: choice.filter,
                clientID: choice.clientID,
                hops: hops,
                fromShard: index
            )
            return
        }
        let routed = RoutedMessage.shared(message, choice, publisherClientID: publisherClientID)
        if choice.shardIndex == index {
            receive(routed)
        } else {
            enqueue(routed, for: choice.shardIndex)
        }
    }

    /// Messages another node forwarded: matched against this shard's trie only.
    func deliverForwarded(_ messages: [Message]) {
        for message in messages { deliverMatches(message) }
    }

    /// A message another node chose a member of a shared group on this node for. On shard 0's loop.
    func receiveForwardedShared(_ message: Message, group: String, filter: TopicFilter, clientID: String, hops: UInt8) {
        if let choice = broker.sharedSubscriptions.localMember(group: group, filter: filter, clientID: clientID) {
            dispatchShared(message, to: choice, publisherClientID: nil, hops: hops)
            return
        }
        // Gone since the other node chose it: choose again, within the hop limit.
        statistics.sharedRedispatches &+= 1
        guard hops < Self.maximumSharedHops else {
            countDrop(.sharedHopLimit)
            return
        }
        let again = broker.sharedSubscriptions.choose(
            for: message.topic,
            publisherClientID: nil,
            fromShard: index,
            excludingClientID: clientID,
            onlyGroup: (group, filter),
            random: &random
        )
        for next in again { dispatchShared(message, to: next, publisherClientID: nil, hops: hops + 1) }
    }

    /// How often a shared message may be passed on because its member was gone.
    static let maximumSharedHops: UInt8 = 4

    private func deliverMatches(_ message: Message) {
        guard subscriptionCount.load(ordering: .relaxed) > 0 else { return }
        matchScratch.removeAll(keepingCapacity: true)
        subscriptions.forEachMatch(message.topic) { sessionID, entry in
            // [MQTT-3.8.3-3] No Local: never back to the publishing session.
            if entry.options.noLocal, sessionID == message.publisherSessionID { return }
            if matchScratch[sessionID] != nil {
                matchScratch[sessionID]!.merge(entry)
            } else {
                matchScratch[sessionID] = MatchAggregate(entry)
            }
        }
        for (sessionID, aggregate) in matchScratch {
            guard let session = sessions[sessionID] else { continue }
            session.deliver(
                message,
                qos: min(message.qos, aggregate.qos),
                // [MQTT-3.3.1-12/13] Retain As Published keeps the flag; otherwise live messages carry 0.
                retain: aggregate.retainAsPublished ? message.retain : false,
                subscriptionIdentifiers: aggregate.subscriptionIdentifiers
            )
        }
    }

    private func enqueue(_ message: RoutedMessage, for shardIndex: Int) {
        outbox[shardIndex].append(message)
        guard !outboxFlushScheduled else { return }
        outboxFlushScheduled = true
        eventLoop.execute { self.flushOutbox() }
    }

    private func flushOutbox() {
        outboxFlushScheduled = false
        for target in outbox.indices where !outbox[target].isEmpty {
            let batch = outbox[target]
            outbox[target].removeAll(keepingCapacity: true)
            let shard = broker.shards[target]
            statistics.batchesHandedOff &+= 1
            shard.eventLoop.execute { shard.receive(batch: batch) }
        }
    }

    func receive(batch: [RoutedMessage]) {
        for message in batch { receive(message) }
    }

    private func receive(_ routed: RoutedMessage) {
        switch routed {
        case .match(let message):
            deliverMatches(message)
        case .shared(let message, let choice, let publisherClientID):
            guard let session = sessions[choice.sessionID], session.hasSharedSubscription(choice) else {
                // The member left after it was chosen: choose again without it, never drop.
                redispatchShared(message, choice: choice, publisherClientID: publisherClientID)
                return
            }
            session.deliver(
                message,
                qos: min(message.qos, choice.entry.options.qos),
                retain: choice.entry.options.retainAsPublished ? message.retain : false,
                subscriptionIdentifiers: choice.entry.subscriptionIdentifier.map { [$0] } ?? []
            )
        }
    }

    private func redispatchShared(
        _ message: Message,
        choice: SharedSubscriptionTable.Choice,
        publisherClientID: String?
    ) {
        statistics.sharedRedispatches &+= 1
        let again = broker.sharedSubscriptions.choose(
            for: message.topic,
            publisherClientID: publisherClientID,
            fromShard: index,
            excluding: choice.sessionID,
            onlyGroup: (choice.group, choice.filter),
            random: &random
        )
        for next in again where next.remoteNode != nil || next.sessionID != choice.sessionID {
            dispatchShared(message, to: next, publisherClientID: publisherClientID)
        }
    }

    // MARK: Subscriptions

    /// Adds a session's subscription to this shard's trie; returns whether it already existed.
    func addSubscription(_ filter: TopicFilter, session: SessionID, entry: SubscriptionEntry) -> Bool {
        let existed = subscriptions.insert(filter, key: session, value: entry) != nil
        if !existed {
            subscriptionCount.add(1, ordering: .relaxed)
            broker.filterReferenceAdded(filter)
        }
        return existed
    }

    @discardableResult
    func removeSubscription(_ filter: TopicFilter, session: SessionID) -> Bool {
        guard subscriptions.remove(filter, key: session) != nil else { return false }
        subscriptionCount.subtract(1, ordering: .relaxed)
        broker.filterReferenceRemoved(filter)
        return true
    }

    /// A new cluster-wide name for a message published here: the shard index in the top bits keeps the
    /// shards' numbers apart without sharing a counter.
    func nextOrigin() -> MessageOrigin {
        originCounter &+= 1
        return MessageOrigin(bootID: broker.bootID, sequence: UInt64(index) << 48 | originCounter)
    }

    func countDrop(_ reason: DropReason) {
        statistics.dropped[reason.rawValue] &+= 1
    }
}

/// A message handed from one shard to another.
enum RoutedMessage: Sendable {
    /// Match against the receiving shard's own trie.
    case match(Message)
    /// Deliver to the chosen member of a shared group.
    case shared(Message, SharedSubscriptionTable.Choice, publisherClientID: String?)
}

/// Counters of one shard; summed over shards for the broker's figures.
public struct ShardStatistics: Sendable {
    public var messagesReceived: UInt64 = 0
    public var messagesRouted: UInt64 = 0
    public var messagesSent: UInt64 = 0
    public var batchesHandedOff: UInt64 = 0
    public var sharedRedispatches: UInt64 = 0
    /// Second copies of a message dropped at a session that had just moved here.
    public var duplicatesSkipped: UInt64 = 0
    /// Times a subscriber that was behind made no progress for a whole watch interval and stopped
    /// slowing publishers (see `CongestionState`).
    public var subscribersStalled: UInt64 = 0
    public var dropped = [UInt64](repeating: 0, count: DropReason.allCases.count)

    public init() {}

    public func dropped(_ reason: DropReason) -> UInt64 { dropped[reason.rawValue] }

    public static func + (lhs: ShardStatistics, rhs: ShardStatistics) -> ShardStatistics {
        var sum = lhs
        sum.messagesReceived &+= rhs.messagesReceived
        sum.messagesRouted &+= rhs.messagesRouted
        sum.messagesSent &+= rhs.messagesSent
        sum.batchesHandedOff &+= rhs.batchesHandedOff
        sum.sharedRedispatches &+= rhs.sharedRedispatches
        sum.duplicatesSkipped &+= rhs.duplicatesSkipped
        sum.subscribersStalled &+= rhs.subscribersStalled
        for index in sum.dropped.indices { sum.dropped[index] &+= rhs.dropped[index] }
        return sum
    }
}
