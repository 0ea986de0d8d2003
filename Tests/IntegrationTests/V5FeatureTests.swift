import Broker
import MQTTCodec
import NIOCore
import StarlingServer
import StarlingTestKit
import Testing

@Suite("MQTT 5.0 features over real sockets")
struct V5FeatureTests {
    @Test("[MQTT-3.3.2-5] a queued message past its expiry is never delivered; a live one carries the time left")
    func messageExpiry_respected() async throws {
        try await withNode { node in
            var session = MQTTProperties()
            session.sessionExpiryInterval = 600
            let (subscriber, _) = try await node.connect("exp-sub", properties: session)
            try await subscriber.subscribe("exp/#", qos: .atLeastOnce)
            try await subscriber.send(.disconnect(.init()))
            _ = try await subscriber.waitForClose()

            let (publisher, _) = try await node.connect("exp-pub")
            var shortLived = MQTTProperties()
            shortLived.messageExpiryInterval = 1
            try await publisher.publish("exp/short", "gone", qos: .atLeastOnce, packetID: 1, properties: shortLived)
            var longLived = MQTTProperties()
            longLived.messageExpiryInterval = 3600
            try await publisher.publish("exp/long", "kept", qos: .atLeastOnce, packetID: 2, properties: longLived)
            for _ in 0..<2 { _ = try await publisher.next() }

            // The short-lived message must expire while it waits in the queue: time has to pass.
            let deadline = ContinuousClock.now + .milliseconds(1100)
            try await Task.sleep(until: deadline, clock: .continuous)
            let (resumed, connAck) = try await node.connect("exp-sub", cleanStart: false, properties: session)
            #expect(connAck.sessionPresent)
            let delivered = try await resumed.nextPublish()
            #expect(delivered.topic == "exp/long")
            let remaining = try #require(delivered.properties.messageExpiryInterval)
            #expect(remaining <= 3600 && remaining > 3500)
        }
    }

    @Test("user properties, content type, response topic and correlation data pass through unchanged")
    func requestResponseProperties_forwarded() async throws {
        try await withNode { node in
            let (subscriber, _) = try await node.connect("props-sub")
            try await subscriber.subscribe("props/t")
            let (publisher, _) = try await node.connect("props-pub")
            var properties = MQTTProperties()
            properties.append(.userProperty(name: "k", value: "v1"))
            properties.append(.userProperty(name: "k", value: "v2"))
            properties.contentType = "application/json"
            properties.responseTopic = "reply/here"
            properties.correlationData = ByteBuffer(bytes: [1, 2, 3])
            properties.payloadFormatIndicator = 1
            try await publisher.publish("props/t", "{}", properties: properties)
            let received = try await subscriber.nextPublish()
            #expect(received.properties.userProperties.map { "\($0.name)=\($0.value)" } == ["k=v1", "k=v2"])
            #expect(received.properties.contentType == "application/json")
            #expect(received.properties.responseTopic == "reply/here")
            #expect(received.properties.correlationData == ByteBuffer(bytes: [1, 2, 3]))
            #expect(received.properties.payloadFormatIndicator == 1)
        }
    }

    @Test("[MQTT-3.3.2-… §3.3.2.3.2] a payload marked UTF-8 that is not gets PUBACK 0x99")
    func payloadFormatInvalid_refused() async throws {
        try await withNode { node in
            let (publisher, _) = try await node.connect("pfi")
            var properties = MQTTProperties()
            properties.payloadFormatIndicator = 1
            try await publisher.send(
                .publish(
                    .init(
                        topic: "pfi/t",
                        payload: ByteBuffer(bytes: [0xFF, 0xFE]),
                        qos: .atLeastOnce,
                        packetID: 5,
                        properties: properties
                    )
                )
            )
            guard case .pubAck(let ack) = try await publisher.next() else { throw TestClientError.unexpectedPacket }
            #expect(ack.reasonCode == .payloadFormatInvalid)
        }
    }

    @Test("[MQTT-3.3.2-9] a topic alias above the maximum gets DISCONNECT 0x94")
    func topicAliasOutOfRange_disconnected() async throws {
        try await withNode { node in
            let (client, connAck) = try await node.connect("alias-big")
            let maximum = try #require(connAck.properties.topicAliasMaximum)
            var properties = MQTTProperties()
            properties.topicAlias = maximum + 1
            try await client.publish("a", "x", properties: properties)
            let packets = try await client.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .topicAliasInvalid)
        }
    }

    @Test("the broker gives topic aliases to a client that accepts them, then sends the alias alone")
    func topicAlias_outbound() async throws {
        try await withNode { node in
            var properties = MQTTProperties()
            properties.topicAliasMaximum = 5
            let (subscriber, _) = try await node.connect("alias-out", properties: properties)
            try await subscriber.subscribe("alias/out")
            let (publisher, _) = try await node.connect("alias-out-pub")
            try await publisher.publish("alias/out", "1")
            try await publisher.publish("alias/out", "2")
            let first = try await subscriber.nextPublish()
            let second = try await subscriber.nextPublish()
            #expect(first.topic == "alias/out")
            let alias = try #require(first.properties.topicAlias)
            #expect(second.topic == "")
            #expect(second.properties.topicAlias == alias)
        }
    }

    @Test("[MQTT-3.10.4-4] unsubscribe stops delivery; unknown filters get 0x11")
    func unsubscribe_stopsDelivery() async throws {
        try await withNode { node in
            let (client, _) = try await node.connect("unsub")
            try await client.subscribe("unsub/a")
            try await client.subscribe("unsub/marker", packetID: 2)
            try await client.send(.unsubscribe(.init(packetID: 3, topicFilters: ["unsub/a", "never/subscribed"])))
            guard case .unsubAck(let ack) = try await client.next() else { throw TestClientError.unexpectedPacket }
            #expect(ack.reasonCodes == [.success, .noSubscriptionExisted])
            let (publisher, _) = try await node.connect("unsub-pub")
            try await publisher.publish("unsub/a", "no")
            try await publisher.publish("unsub/marker", "yes")
            #expect(try await client.nextPublish().topic == "unsub/marker")
        }
    }

    @Test("invalid filters get 0x8F in 5.0 and 0x80 in 3.1.1 [MQTT-4.7.1-2]")
    func invalidFilter_refusedPerFilter() async throws {
        try await withNode { node in
            let (v5, _) = try await node.connect("badfilter5")
            #expect(try await v5.subscribe("a/#/b") == [.topicFilterInvalid])
            let (v311, _) = try await node.connect("badfilter3", version: .v3_1_1)
            #expect(try await v311.subscribe("a/b#") == [.unspecifiedError])
        }
    }

    @Test("[MQTT-3.8.3-4] No Local on a shared subscription is a protocol error")
    func sharedNoLocal_protocolError() async throws {
        try await withNode { node in
            let (client, _) = try await node.connect("share-nolocal")
            try await client.send(
                .subscribe(
                    .init(
                        packetID: 1,
                        subscriptions: [
                            .init(topicFilter: "$share/g/t", options: .init(qos: .atMostOnce, noLocal: true))
                        ]
                    )
                )
            )
            let packets = try await client.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .protocolError)
        }
    }

    @Test("an exclusive subscription admits one subscriber at a time; a second gets 0x97")
    func exclusiveSubscription_oneHolder() async throws {
        try await withNode { node in
            let (first, _) = try await node.connect("excl-1")
            let (second, _) = try await node.connect("excl-2")
            #expect(try await first.subscribe("$exclusive/jobs/x") == [.grantedQoS0])
            #expect(try await second.subscribe("$exclusive/jobs/x") == [.quotaExceeded])
            try await first.send(.unsubscribe(.init(packetID: 2, topicFilters: ["$exclusive/jobs/x"])))
            _ = try await first.next()
            #expect(try await second.subscribe("$exclusive/jobs/x", packetID: 3) == [.grantedQoS0])
        }
    }

    @Test("[MQTT-3.3.4-7] more unacknowledged QoS 2 publishes than Receive Maximum gets DISCONNECT 0x93")
    func receiveMaximumExceeded_disconnected() async throws {
        var settings = BrokerSettings()
        settings.receiveMaximum = 2
        try await withNode(settings: settings) { node in
            let (client, connAck) = try await node.connect("recvmax")
            #expect(connAck.properties.receiveMaximum == 2)
            for id in UInt16(1)...3 {
                try await client.publish("rm/t", "x", qos: .exactlyOnce, packetID: id)
            }
            let packets = try await client.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .receiveMaximumExceeded)
        }
    }

    @Test("server shutdown sends DISCONNECT 0x8B to 5.0 clients")
    func shutdown_sendsServerShuttingDown() async throws {
        try await withNode { node in
            let (client, _) = try await node.connect("bye")
            await node.node.shutdown()
            let packets = try await client.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .serverShuttingDown)
        }
    }
}
