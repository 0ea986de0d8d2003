import Testing

@testable import StarlingBench

@Suite("Delivery tally")
struct DeliveryTallyTests {
    private func subscriber(_ index: Int, _ filter: String, arrivals: [(publisher: UInt32, sequence: UInt64)]) throws
        -> SubscriberResult
    {
        var accounting = SubscriberAccounting()
        for arrival in arrivals { _ = accounting.record(publisher: arrival.publisher, sequence: arrival.sequence) }
        return SubscriberResult(subscriberIndex: index, filter: try BenchTopicFilter(filter), accounting: accounting)
    }

    private func all(_ publishers: [UInt32], upTo count: UInt64) -> [(publisher: UInt32, sequence: UInt64)] {
        publishers.flatMap { publisher in (0..<count).map { (publisher, $0) } }
    }

    @Test func tally_expectsEveryMessageAtEverySubscriber_whenAllFiltersMatchAllTopics() throws {
        let publishers = (0..<3).map { PublisherResult(publisherIndex: $0, topic: "bench/\($0)", sent: 10) }
        let subscribers = try (0..<2).map { try subscriber($0, "bench/#", arrivals: all([0, 1, 2], upTo: 10)) }
        let tally = DeliveryTally.tally(subscribers: subscribers, publishers: publishers)
        #expect(tally.expected == 60)
        #expect(tally.received == 60)
        #expect(tally.lost == 0)
        #expect(tally.expectedIsExact)
    }

    @Test func tally_countsLossDuplicatesAndReorders_acrossSubscribers() throws {
        let publishers = [PublisherResult(publisherIndex: 0, topic: "bench/0", sent: 5)]
        let first = try subscriber(0, "bench/#", arrivals: [(0, 0), (0, 2), (0, 1), (0, 3), (0, 4)])
        let second = try subscriber(1, "bench/+", arrivals: [(0, 0), (0, 0), (0, 1), (0, 4)])
        let tally = DeliveryTally.tally(subscribers: [first, second], publishers: publishers)
        #expect(tally.expected == 10)
        #expect(tally.unique == 8)
        #expect(tally.lost == 2)
        #expect(tally.duplicated == 1)
        #expect(tally.reordered == 1)
        #expect(tally.received == 9)
    }

    @Test func tally_expectsEachMessageOncePerGroup_whenSubscribersShareASubscription() throws {
        let publishers = (0..<2).map { PublisherResult(publisherIndex: $0, topic: "bench/\($0)", sent: 4) }
        // The group splits the 8 messages between its members.
        let first = try subscriber(0, "$share/g/bench/#", arrivals: [(0, 0), (0, 2), (1, 1), (1, 3)])
        let second = try subscriber(1, "$share/g/bench/#", arrivals: [(0, 1), (0, 3), (1, 0), (1, 2)])
        let tally = DeliveryTally.tally(subscribers: [first, second], publishers: publishers)
        #expect(tally.expected == 8)
        #expect(tally.unique == 8)
        #expect(tally.lost == 0)
        #expect(tally.duplicated == 0)
        #expect(tally.reordered == 0)
    }

    @Test func tally_countsADuplicate_whenTwoMembersOfAGroupReceiveTheSameMessage() throws {
        let publishers = [PublisherResult(publisherIndex: 0, topic: "bench/0", sent: 3)]
        let first = try subscriber(0, "$share/g/bench/#", arrivals: [(0, 0), (0, 1)])
        let second = try subscriber(1, "$share/g/bench/#", arrivals: [(0, 1), (0, 2)])
        let tally = DeliveryTally.tally(subscribers: [first, second], publishers: publishers)
        #expect(tally.unique == 3)
        #expect(tally.duplicated == 1)
        #expect(tally.lost == 0)
    }

    @Test func tally_treatsGroupsAndPlainSubscribersAsSeparateSubscriptions() throws {
        let publishers = [PublisherResult(publisherIndex: 0, topic: "bench/0", sent: 2)]
        let subscribers = [
            try subscriber(0, "$share/a/bench/#", arrivals: all([0], upTo: 2)),
            try subscriber(1, "$share/b/bench/#", arrivals: all([0], upTo: 2)),
            try subscriber(2, "bench/0", arrivals: all([0], upTo: 2)),
        ]
        let tally = DeliveryTally.tally(subscribers: subscribers, publishers: publishers)
        #expect(tally.expected == 6)
        #expect(tally.duplicated == 0)
        #expect(tally.lost == 0)
    }

    @Test func tally_expectsOnlyMatchingTopics_whenFiltersAreIndexedPerSubscriber() throws {
        // Subscriber i listens to publisher i only ("bench/%i" on both sides).
        let publishers = (0..<3).map {
            PublisherResult(publisherIndex: $0, topic: "bench/\($0)", sent: UInt64(10 + $0))
        }
        let subscribers = try (0..<3).map {
            try subscriber($0, "bench/\($0)", arrivals: all([UInt32($0)], upTo: UInt64(10 + $0)))
        }
        let tally = DeliveryTally.tally(subscribers: subscribers, publishers: publishers)
        #expect(tally.expected == 33)
        #expect(tally.lost == 0)
    }

    @Test func tally_infersExpectedFromTheSequenceSpan_whenPublishersAreUnknown() throws {
        let only = try subscriber(0, "bench/#", arrivals: [(0, 100), (0, 101), (0, 104), (1, 0), (1, 1)])
        let tally = DeliveryTally.tally(subscribers: [only], publishers: nil)
        #expect(tally.expected == 7)  // 100...104 and 0...1
        #expect(tally.lost == 2)
        #expect(!tally.expectedIsExact)
    }

    @Test func expectedDeliveries_isZero_whenNoFilterMatches() throws {
        let publishers = [PublisherResult(publisherIndex: 0, topic: "other/0", sent: 100)]
        #expect(DeliveryTally.expectedDeliveries(of: publishers, to: [try BenchTopicFilter("bench/#")]) == 0)
    }
}
