import Broker
import MQTTCodec
import NIOCore
import StarlingServer
import StarlingTestKit
import Testing

@Suite("Publish and subscribe over real sockets")
struct PublishSubscribeTests {
    @Test("QoS 0, 1 and 2 reach a subscriber at min(publish QoS, subscription QoS) [MQTT-3.8.4-8]")
    func qosLevels_delivered_atMinimumQoS() async throws {
        try await withNode { node in
            for version in [ProtocolVersion.v3_1_1, .v5] {
                let (subscriber, _) = try await node.connect("sub-\(version)", version: version)
                let (publisher, _) = try await node.connect("pub-\(version)", version: version)
                let codes = try await subscriber.subscribe("qos/\(version.rawValue)/#", qos: .atLeastOnce)
                #expect(codes == [.grantedQoS1])

                for (index, qos) in QoS.allCases.enumerated() {
                    try await publisher.publish(
                        "qos/\(version.rawValue)/\(index)",
                        "m\(index)",
                        qos: qos,
                        packetID: UInt16(index + 1)
                    )
                    switch qos {
                    case .atMostOnce: break
                    case .atLeastOnce:
                        guard case .pubAck(let ack) = try await publisher.next() else {
                            throw TestClientError.unexpectedPacket
                        }
                        #expect(ack.packetID == UInt16(index + 1))
                    case .exactlyOnce:
                        guard case .pubRec(let rec) = try await publisher.next() else {
                            throw TestClientError.unexpectedPacket
                        }
                        try await publisher.send(.pubRel(.init(packetID: rec.packetID)))
                        guard case .pubComp = try await publisher.next() else { throw TestClientError.unexpectedPacket }
                    }
                    let received = try await subscriber.nextPublish()
                    #expect(received.topic == "qos/\(version.rawValue)/\(index)")
                    #expect(received.qos == min(qos, .atLeastOnce))
                    #expect(String(buffer: received.payload) == "m\(index)")
                    if let packetID = received.packetID {
                        try await subscriber.send(.pubAck(.init(packetID: packetID)))
                    }
                }
            }
        }
    }

    @Test("[MQTT-4.3.3-10] a repeated QoS 2 PUBLISH before PUBREL is delivered once")
    func qos2_duplicate_deliveredOnce() async throws {
        try await withNode { node in
            let (subscriber, _) = try await node.connect("q2-sub")
            let (publisher, _) = try await node.connect("q2-pub")
            try await subscriber.subscribe("q2/t", qos: .atMostOnce)
            try await publisher.publish("q2/t", "once", qos: .exactlyOnce, packetID: 9)
            guard case .pubRec = try await publisher.next() else { throw TestClientError.unexpectedPacket }
            try await publisher.send(
                .publish(
                    .init(topic: "q2/t", payload: ByteBuffer(string: "once"), qos: .exactlyOnce, dup: true, packetID: 9)
                )
            )
            guard case .pubRec = try await publisher.next() else { throw TestClientError.unexpectedPacket }
            try await publisher.send(.pubRel(.init(packetID: 9)))
            guard case .pubComp = try await publisher.next() else { throw TestClientError.unexpectedPacket }
            // A marker published after the exchange proves no second copy was on its way.
            try await publisher.publish("q2/t", "marker")
            #expect(String(buffer: try await subscriber.nextPublish().payload) == "once")
            #expect(String(buffer: try await subscriber.nextPublish().payload) == "marker")
        }
    }

    @Test("messages of one publisher arrive in order across event loops")
    func ordering_preserved_acrossLoops() async throws {
        try await withNode(eventLoops: 2) { node in
            var subscribers: [MQTTTestClient] = []
            for index in 0..<4 {
                let (client, _) = try await node.connect("order-sub-\(index)")
                try await client.subscribe("order/#", qos: .atLeastOnce)
                subscribers.append(client)
            }
            let (publisher, _) = try await node.connect("order-pub")
            let count = 200
            for index in 0..<count {
                try await publisher.publish("order/x", "\(index)", qos: .atLeastOnce, packetID: UInt16(index + 1))
            }
            for subscriber in subscribers {
                for index in 0..<count {
                    let publish = try await subscriber.nextPublish()
                    #expect(String(buffer: publish.payload) == "\(index)")
                    try await subscriber.send(.pubAck(.init(packetID: publish.packetID!)))
                }
            }
        }
    }

    @Test("[MQTT-4.7.2-1] filters starting with a wildcard do not match $-topics")
    func dollarTopics_notMatched_byLeadingWildcard() async throws {
        try await withNode { node in
            let (all, _) = try await node.connect("dollar-all")
            let (sys, _) = try await node.connect("dollar-sys")
            let (publisher, _) = try await node.connect("dollar-pub")
            try await all.subscribe("#")
            try await sys.subscribe("$test/#")
            try await publisher.publish("$test/x", "hidden")
            try await publisher.publish("plain", "visible")
            #expect(try await sys.nextPublish().topic == "$test/x")
            #expect(try await all.nextPublish().topic == "plain")
        }
    }

    @Test("[MQTT-3.8.3-3] No Local keeps a client's own messages from it")
    func noLocal_skipsPublisher() async throws {
        try await withNode { node in
            let (client, _) = try await node.connect("nolocal")
            try await client.subscribe("nl/t", options: { $0.noLocal = true })
            try await client.subscribe("nl/marker", packetID: 2)
            try await client.publish("nl/t", "own")
            try await client.publish("nl/marker", "after")
            #expect(try await client.nextPublish().topic == "nl/marker")
        }
    }

    @Test("[MQTT-3.3.2-10] a topic alias set by the client stands for its topic afterwards")
    func topicAlias_inbound_resolved() async throws {
        try await withNode { node in
            let (subscriber, _) = try await node.connect("alias-sub")
            let (publisher, _) = try await node.connect("alias-pub")
            try await subscriber.subscribe("alias/topic")
            var properties = MQTTProperties()
            properties.topicAlias = 3
            try await publisher.publish("alias/topic", "first", properties: properties)
            try await publisher.publish("", "second", properties: properties)
            #expect(String(buffer: try await subscriber.nextPublish().payload) == "first")
            let second = try await subscriber.nextPublish()
            #expect(second.topic == "alias/topic")
            #expect(String(buffer: second.payload) == "second")
        }
    }

    @Test("[MQTT-3.1.2-24] a message larger than the client's Maximum Packet Size is dropped for that client only")
    func oversizedForSubscriber_dropped_connectionKept() async throws {
        try await withNode { node in
            var properties = MQTTProperties()
            properties.maximumPacketSize = 64
            let (small, _) = try await node.connect("small", properties: properties)
            let (publisher, _) = try await node.connect("big-pub")
            try await small.subscribe("size/#")
            try await publisher.publish("size/big", String(repeating: "x", count: 200))
            try await publisher.publish("size/small", "ok")
            let received = try await small.nextPublish()
            #expect(received.topic == "size/small")
        }
    }

    @Test("subscription identifiers of every matching subscription are delivered (5.0 §3.3.4)")
    func subscriptionIdentifiers_delivered() async throws {
        try await withNode { node in
            let (client, _) = try await node.connect("subid")
            var first = MQTTProperties()
            first.append(.subscriptionIdentifier(11))
            var second = MQTTProperties()
            second.append(.subscriptionIdentifier(22))
            try await client.subscribe("sid/+", properties: first)
            try await client.subscribe("sid/#", packetID: 2, properties: second)
            let (publisher, _) = try await node.connect("subid-pub")
            try await publisher.publish("sid/a", "x")
            let received = try await client.nextPublish()
            #expect(Set(received.properties.subscriptionIdentifiers) == [11, 22])
        }
    }
}

@Suite("Flow control over real sockets")
struct FlowControlTests {
    @Test("a subscriber that falls behind slows the publisher instead of losing acknowledged QoS 1 messages")
    func slowSubscriber_slowsPublisher_insteadOfDropping() async throws {
        var settings = BrokerSettings()
        settings.maximumQueuedMessages = 2_000
        settings.maximumInflight = 10
        try await withNode(settings: settings) { node in
            let (subscriber, _) = try await node.connect("slow-sub")
            try await subscriber.subscribe("flow/#", qos: .atLeastOnce)
            let (publisher, _) = try await node.connect("fast-pub")
            let total = 5_000
            // The publisher never waits for its subscriber; only the broker can hold it back.
            async let published: Void = publisher.publishPipelined(count: total, prefix: "f", window: 500) { _ in
                "flow/x"
            }
            // The subscriber reads nothing until its queue is past half full, as a slow consumer would.
            try await eventually("the subscriber falls behind") { node.node.broker.isCongested }
            let counter = ReceivedCount()
            let received = try await subscriber.collectAcknowledging(
                until: ContinuousClock.now + .seconds(120),
                counter: counter,
                target: total
            )
            try await published
            #expect(received == (0..<total).map { "f-\($0)" }, "received \(received.count) of \(total)")
            let statistics = try await node.node.broker.statistics().get()
            #expect(statistics.dropped(.queueFull) == 0)
            #expect(node.node.broker.publisherPauses > 0, "the publisher was paused at least once")
        }
    }

    @Test(
        "a QoS 0 subscriber whose socket is full slows the publisher; one that stops reading for good stops slowing it"
    )
    func fullSocket_slowsPublisher_untilTheSubscriberStalls() async throws {
        try await withNode { node in
            let broker = node.node.broker
            let (stuck, _) = try await node.connect("q0-stuck")
            try await stuck.subscribe("q0/#")
            // The stuck subscriber reads no more: its socket, then its send buffer in the broker, fill up.
            try await stuck.channel.setOption(ChannelOptions.autoRead, value: false).get()
            let (publisher, _) = try await node.connect("q0-pub")
            let payload = String(repeating: "x", count: 8_192)
            try await eventually(within: .seconds(30), "the stuck subscriber's send buffer fills") {
                for _ in 0..<50 { try? await publisher.publish("q0/a", payload) }
                return (try? await broker.statistics().get().dropped(.notWritable)) ?? 0 > 0
            }
            // It is the only subscriber, so it is what slows the publisher.
            try await eventually("the publisher is slowed") {
                try? await publisher.publish("q0/a", payload)
                return broker.publisherPauses > 0
            }
            // No progress for a whole watch interval: stalled, and publishers are no longer slowed.
            try await eventually("the stuck subscriber no longer slows publishers") {
                let stalled = (try? await broker.statistics().get().subscribersStalled) ?? 0
                return stalled == 1 && !broker.isCongested
            }
            // The publisher goes on: its next message reaches a subscriber that reads.
            let (watcher, _) = try await node.connect("q0-watcher")
            try await watcher.subscribe("q0/#")
            try await publisher.publish("q0/after", "live")
            // (Messages the publisher sent before may still come first.)
            while try await watcher.nextPublish().topic != "q0/after" {}
            // Reading again, the stuck subscriber gets messages once more.
            try await stuck.channel.setOption(ChannelOptions.autoRead, value: true).get()
            try await eventually("messages reach the subscriber again") {
                try? await publisher.publish("q0/later", "again")
                return stuck.buffered.contains { packet in
                    if case .publish(let publish) = packet { return publish.topic == "q0/later" }
                    return false
                }
            }
        }
    }
}
