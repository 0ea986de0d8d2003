import MQTTCodec
import Testing

@testable import StarlingBench

@Suite("Configuration and client plans")
struct ClientPlanTests {
    private func pubsub() throws -> BenchConfiguration {
        var configuration = try BenchConfiguration(scenario: .pubsub)
        configuration.publishers = 3
        configuration.subscribers = 4
        configuration.publisherHosts = [BenchHost(host: "a", port: 1), BenchHost(host: "b", port: 2)]
        configuration.subscriberHosts = [BenchHost(host: "c", port: 3)]
        configuration.topic = try TopicPattern("t/%i")
        configuration.filter = try TopicPattern("$share/g/t/#")
        configuration.clientIDPrefix = "x-"
        return configuration
    }

    @Test func clientPlans_spreadPublishersRoundRobinOverTheirHosts() throws {
        let plans = try pubsub().clientPlans()
        #expect(plans.publishers.map(\.host.host) == ["a", "b", "a"])
        #expect(plans.subscribers.map(\.host.host) == ["c", "c", "c", "c"])
        #expect(plans.publishers.map(\.clientID) == ["x-p0", "x-p1", "x-p2"])
        #expect(plans.subscribers.map(\.clientID).last == "x-s3")
        #expect(plans.idle.isEmpty)
    }

    @Test func clientPlans_expandTopicsWithThePublisherIndex_andBoundSubscribersToThePublisherCount() throws {
        let plans = try pubsub().clientPlans()
        let topics = plans.publishers.compactMap { plan -> String? in
            if case .publisher(let publisher) = plan.role { return publisher.topic }
            return nil
        }
        #expect(topics == ["t/0", "t/1", "t/2"])
        guard case .subscriber(let subscriber) = plans.subscribers[0].role else {
            Issue.record("expected a subscriber")
            return
        }
        #expect(subscriber.filter.shareGroup == "g")
        #expect(subscriber.publisherLimit == 3)
    }

    @Test func subscriptions_countASharedGroupOnce() throws {
        let plans = try pubsub().clientPlans()
        #expect(BenchRunner.subscriptions(of: plans.subscribers).count == 1)
    }

    @Test func validate_rejectsAPayloadSmallerThanTheHeader() throws {
        var configuration = try pubsub()
        configuration.payloadSize = PayloadHeader.size - 1
        #expect(throws: BenchConfigurationError.self) { try configuration.validate() }
    }

    @Test func validate_rejectsAWildcardInThePublishedTopic() throws {
        var configuration = try pubsub()
        configuration.topic = try TopicPattern("t/+")
        #expect(throws: BenchConfigurationError.self) { try configuration.validate() }
    }

    @Test func validate_rejectsAWarmupAsLongAsTheRun() throws {
        var configuration = try pubsub()
        configuration.warmup = configuration.duration
        #expect(throws: BenchConfigurationError.self) { try configuration.validate() }
    }

    @Test func validate_acceptsTheDefaults_onceClientsAreGiven() throws {
        try pubsub().validate()
    }
}
