import Histogram
import MQTTCodec
import NIOCore
import NIOEmbedded
import Testing

@testable import StarlingBench

/// The handler on an `EmbeddedChannel`: bytes in, bytes out.
@Suite("Bench client handler")
struct BenchClientHandlerTests {
    struct Harness {
        let channel: EmbeddedChannel
        let context: BenchLoopContext
        let ready: EventLoopPromise<Void>
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 20, protocolVersion: .v5)

        init(role: ClientPlan.Role, payloadSize: Int = 32) throws {
            channel = EmbeddedChannel()
            context = BenchLoopContext(eventLoop: channel.eventLoop)
            ready = channel.eventLoop.makePromise()
            let plan = ClientPlan(
                role: role,
                clientID: "test-client",
                host: BenchHost(host: "127.0.0.1", port: 1883),
                protocolVersion: .v5,
                keepAlive: 60,
                maximumInboundPacketSize: 1 << 20
            )
            let handler = BenchClientHandler(
                plan: plan,
                loop: context,
                ready: ready,
                connectTimeout: .seconds(10),
                payloadTemplate: ByteBuffer(repeating: 0, count: payloadSize)
            )
            let decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 20, protocolVersion: .v5)
            try channel.pipeline.syncOperations.addHandlers(ByteToMessageHandler(decoder), handler)
        }

        func activate() throws {
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1883)).wait()
        }

        func receive(_ packet: MQTTPacket) throws {
            var buffer = channel.allocator.buffer(capacity: 64)
            packet.encode(version: .v5, into: &buffer)
            try channel.writeInbound(buffer)
        }

        /// Every packet written so far, decoded.
        mutating func sent() throws -> [MQTTPacket] {
            var packets: [MQTTPacket] = []
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                while let packet = try decoder.decode(buffer: &buffer) { packets.append(packet) }
                #expect(buffer.readableBytes == 0)
            }
            return packets
        }

        func finish() throws {
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
    }

    private static let publisher = PublisherPlan(
        index: 5,
        topic: "bench/5",
        qos: .exactlyOnce,
        payloadSize: 32,
        rate: 0,
        phaseNanoseconds: 0,
        inflight: 2
    )

    @Test func handler_sendsConnect_andBecomesReadyOnConnAck() throws {
        var harness = try Harness(role: .idle)
        try harness.activate()
        let sent = try harness.sent()
        guard case .connect(let connect) = sent.first else {
            Issue.record("expected CONNECT, got \(sent)")
            return
        }
        #expect(connect.clientID == "test-client")
        #expect(connect.cleanStart)
        #expect(connect.properties.maximumPacketSize == 1 << 20)
        try harness.receive(.connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .success)))
        try harness.ready.futureResult.wait()
        #expect(harness.context.clients.count == 1)
        #expect(harness.context.connectLatency.totalCount == 1)
        try harness.finish()
    }

    @Test func handler_failsReady_whenConnAckRefuses() throws {
        var harness = try Harness(role: .idle)
        try harness.activate()
        _ = try harness.sent()
        try harness.receive(.connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .notAuthorized)))
        #expect(throws: BenchClientError.self) { try harness.ready.futureResult.wait() }
        #expect(harness.context.clients.isEmpty)
        try harness.finish()
    }

    @Test("[MQTT-4.3.3-4] handler_publishesUpToTheWindow_completesQoS2_andRefills")
    func handler_publishesUpToTheWindow_completesQoS2_andRefills() throws {
        var harness = try Harness(role: .publisher(Self.publisher))
        try harness.activate()
        _ = try harness.sent()
        try harness.receive(.connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .success)))
        try harness.ready.futureResult.wait()

        let now = NIODeadline.now().uptimeNanoseconds
        harness.context.startMeasuring(MeasurementWindow(start: now, warmup: 0, duration: 3_600_000_000_000))
        let first = try harness.sent()
        #expect(first.count == 2, "the window holds 2")
        var ids: [UInt16] = []
        for (sequence, packet) in first.enumerated() {
            guard case .publish(let publish) = packet, let id = publish.packetID else {
                Issue.record("expected a QoS 2 PUBLISH, got \(packet)")
                return
            }
            let header = try #require(PayloadHeader(from: publish.payload))
            #expect(publish.topic == "bench/5")
            #expect(publish.payload.readableBytes == 32)
            #expect(header.publisherIndex == 5)
            #expect(header.sequence == UInt64(sequence))
            #expect(header.sentAtNanoseconds >= now)
            ids.append(id)
        }

        try harness.receive(.pubRec(MQTTPacket.PubRec(packetID: ids[0])))
        #expect(try harness.sent() == [.pubRel(MQTTPacket.PubRel(packetID: ids[0]))])
        try harness.receive(.pubComp(MQTTPacket.PubComp(packetID: ids[0])))
        let refill = try harness.sent()
        guard refill.count == 1, case .publish(let next) = refill[0] else {
            Issue.record("expected one new PUBLISH, got \(refill)")
            return
        }
        #expect(PayloadHeader(from: next.payload)?.sequence == 2)
        #expect(harness.context.counters.sent == 3)
        #expect(harness.context.counters.acknowledged == 1)
        #expect(harness.context.acknowledgementLatency.totalCount == 1)

        harness.context.stopPublishing()
        #expect(harness.context.progress.inflight == 2)
        try harness.finish()
    }

    @Test func handler_closesAndCountsALostConnection_whenAnAcknowledgementIsUnknown() throws {
        var harness = try Harness(role: .publisher(Self.publisher))
        try harness.activate()
        try harness.receive(.connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .success)))
        _ = try harness.sent()
        try harness.receive(.pubAck(MQTTPacket.PubAck(packetID: 77)))
        #expect(harness.context.counters.disconnects == 1)
        #expect(!harness.channel.isActive)
        try harness.finish()
    }

    @Test("[MQTT-4.3.3-10] handler_subscribes_thenAccountsForEachDeliveryOnce")
    func handler_subscribes_thenAccountsForEachDeliveryOnce() throws {
        let plan = SubscriberPlan(
            index: 0,
            filter: try BenchTopicFilter("bench/#"),
            qos: .exactlyOnce,
            publisherLimit: 8
        )
        var harness = try Harness(role: .subscriber(plan))
        try harness.activate()
        _ = try harness.sent()
        try harness.receive(.connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .success)))
        let subscribe = try harness.sent()
        guard case .subscribe(let request) = subscribe.first else {
            Issue.record("expected SUBSCRIBE, got \(subscribe)")
            return
        }
        #expect(request.subscriptions.map(\.topicFilter) == ["bench/#"])
        #expect(request.subscriptions.first?.options.qos == .exactlyOnce)
        try harness.receive(.subAck(MQTTPacket.SubAck(packetID: request.packetID, reasonCodes: [.grantedQoS2])))
        try harness.ready.futureResult.wait()
        let now = NIODeadline.now().uptimeNanoseconds
        harness.context.startMeasuring(MeasurementWindow(start: now, warmup: 0, duration: 3_600_000_000_000))

        var payload = ByteBuffer()
        PayloadHeader(sentAtNanoseconds: now, publisherIndex: 3, sequence: 0).write(into: &payload, paddingTo: 24)
        let publish = MQTTPacket.Publish(topic: "bench/3", payload: payload, qos: .exactlyOnce, packetID: 9)
        try harness.receive(.publish(publish))
        try harness.receive(.publish(publish))  // Again before PUBREL: acknowledged, not delivered.
        #expect(
            try harness.sent() == [.pubRec(MQTTPacket.PubRec(packetID: 9)), .pubRec(MQTTPacket.PubRec(packetID: 9))]
        )
        try harness.receive(.pubRel(MQTTPacket.PubRel(packetID: 9)))
        #expect(try harness.sent() == [.pubComp(MQTTPacket.PubComp(packetID: 9))])

        let result = try #require(harness.context.results.subscribers.first)
        #expect(result.accounting.streams[3]?.unique == 1)
        #expect(result.accounting.streams[3]?.duplicated == 0)
        #expect(harness.context.counters.received == 1)
        #expect(harness.context.latency.totalCount == 1)
        try harness.finish()
    }

    @Test func handler_failsReady_whenSubAckRefusesTheFilter() throws {
        let plan = SubscriberPlan(
            index: 0,
            filter: try BenchTopicFilter("bench/#"),
            qos: .atLeastOnce,
            publisherLimit: 1
        )
        var harness = try Harness(role: .subscriber(plan))
        try harness.activate()
        try harness.receive(.connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: .success)))
        _ = try harness.sent()
        try harness.receive(.subAck(MQTTPacket.SubAck(packetID: 1, reasonCodes: [.notAuthorized])))
        #expect(throws: BenchClientError.self) { try harness.ready.futureResult.wait() }
        try harness.finish()
    }
}
