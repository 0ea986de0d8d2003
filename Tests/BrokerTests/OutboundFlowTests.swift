import MQTTCodec
import NIOCore
import Testing
import Topics

@testable import Broker

@Suite("OutboundFlow")
struct OutboundFlowTests {
    private func delivery(_ qos: QoS, topic: String = "a/b", expiresAt: NIODeadline? = nil) -> OutboundFlow.Delivery {
        let message = Message(
            topic: try! TopicName(validating: topic),
            payload: ByteBuffer(string: "x"),
            qos: qos,
            retain: false,
            expiresAt: expiresAt
        )
        return OutboundFlow.Delivery(message: message, qos: qos, retain: false)
    }

    private func sentPacketID(_ action: OutboundFlow.SubmitAction) -> UInt16?? {
        if case .send(let id, _) = action { return .some(id) }
        return nil
    }

    @Test("QoS 0 is sent without a packet identifier when online")
    func qos0_sentWithoutPacketID_whenOnline() {
        var flow = OutboundFlow(window: 1, queueCapacity: 1, queueFullPolicy: .dropOldest)
        #expect(sentPacketID(flow.submit(delivery(.atMostOnce), online: true)) == .some(nil))
        #expect(flow.inflightCount == 0)
    }

    @Test("QoS 0 is dropped, not queued, while offline")
    func qos0_dropped_whenOffline() {
        var flow = OutboundFlow(window: 1, queueCapacity: 10, queueFullPolicy: .dropOldest)
        guard case .dropped(.offlineQoS0) = flow.submit(delivery(.atMostOnce), online: false) else {
            Issue.record("expected a drop")
            return
        }
        #expect(flow.queuedCount == 0)
    }

    @Test("[MQTT-4.9.0-2] QoS 1 beyond the receive maximum waits in the queue")
    func qos1_queued_whenWindowFull() {
        var flow = OutboundFlow(window: 2, queueCapacity: 10, queueFullPolicy: .dropOldest)
        #expect(sentPacketID(flow.submit(delivery(.atLeastOnce), online: true)) == .some(1))
        #expect(sentPacketID(flow.submit(delivery(.atLeastOnce), online: true)) == .some(2))
        guard case .queued = flow.submit(delivery(.atLeastOnce), online: true) else {
            Issue.record("third message should wait")
            return
        }
        #expect(flow.inflightCount == 2)
        #expect(flow.nextQueued(now: .now(), dropped: { _ in }) == nil)
        #expect(flow.receivedPubAck(1) == .released)
        let next = flow.nextQueued(now: .now(), dropped: { _ in })
        #expect(next?.0 == 3)
    }

    @Test("[MQTT-2.2.1-3] packet identifiers in use are never reused")
    func packetIDs_skipInflight_whenWrapping() {
        var flow = OutboundFlow(window: 65535, queueCapacity: 1, queueFullPolicy: .dropOldest)
        var seen = Set<UInt16>()
        for _ in 0..<65535 {
            guard case .send(let id?, _) = flow.submit(delivery(.atLeastOnce), online: true) else {
                Issue.record("expected a send")
                return
            }
            #expect(id != 0)
            seen.insert(id)
        }
        #expect(seen.count == 65535)
        #expect(flow.receivedPubAck(7) == .released)
        guard case .send(let reused?, _) = flow.submit(delivery(.atLeastOnce), online: true) else {
            Issue.record("expected a send after an ack")
            return
        }
        #expect(reused == 7)
    }

    @Test("QoS 2 goes PUBREC → PUBREL → PUBCOMP, and acknowledgements out of order are refused")
    func qos2_flow_inOrder() {
        var flow = OutboundFlow(window: 10, queueCapacity: 10, queueFullPolicy: .dropOldest)
        _ = flow.submit(delivery(.exactlyOnce), online: true)
        #expect(flow.receivedPubComp(1) == .unknownPacketID)
        #expect(flow.receivedPubAck(1) == .unknownPacketID)
        #expect(flow.receivedPubRec(1, reasonCode: .success) == .sendPubRel(1))
        #expect(flow.receivedPubComp(1) == .released)
        #expect(flow.inflightCount == 0)
    }

    @Test("PUBREC with a failure code ends the QoS 2 exchange without PUBREL")
    func qos2_released_whenPubRecFails() {
        var flow = OutboundFlow(window: 10, queueCapacity: 10, queueFullPolicy: .dropOldest)
        _ = flow.submit(delivery(.exactlyOnce), online: true)
        #expect(flow.receivedPubRec(1, reasonCode: .unspecifiedError) == .released)
        #expect(flow.inflightCount == 0)
    }

    @Test("[MQTT-4.4.0-1] resends keep the original order: PUBLISH again, PUBREL for PUBREC'd messages")
    func resends_inOriginalOrder() {
        var flow = OutboundFlow(window: 10, queueCapacity: 10, queueFullPolicy: .dropOldest)
        _ = flow.submit(delivery(.atLeastOnce), online: true)
        _ = flow.submit(delivery(.exactlyOnce), online: true)
        _ = flow.submit(delivery(.atLeastOnce), online: true)
        _ = flow.receivedPubRec(2, reasonCode: .success)
        let described = flow.resends().map { resend -> String in
            switch resend {
            case .publish(let id, _): "publish \(id)"
            case .pubRel(let id): "pubrel \(id)"
            }
        }
        #expect(described == ["publish 1", "pubrel 2", "publish 3"])
    }

    @Test("a full queue drops the oldest or the newest message as configured")
    func queueFull_dropsByPolicy() {
        for policy in [BrokerSettings.QueueFullPolicy.dropOldest, .dropNewest] {
            var flow = OutboundFlow(window: 1, queueCapacity: 2, queueFullPolicy: policy)
            _ = flow.submit(delivery(.atLeastOnce, topic: "t/0"), online: false)
            _ = flow.submit(delivery(.atLeastOnce, topic: "t/1"), online: false)
            guard case .dropped(.queueFull) = flow.submit(delivery(.atLeastOnce, topic: "t/2"), online: false) else {
                Issue.record("expected a queue-full drop for \(policy)")
                continue
            }
            #expect(flow.queuedCount == 2)
            let first = flow.nextQueued(now: .now(), dropped: { _ in })
            let expected = policy == .dropOldest ? "t/1" : "t/0"
            #expect(first?.1.message.topic.string == expected, "policy \(policy)")
        }
    }

    @Test("[MQTT-3.3.2-5] expired queued messages are skipped and counted")
    func expiredQueued_skipped() {
        var flow = OutboundFlow(window: 1, queueCapacity: 10, queueFullPolicy: .dropOldest)
        let now = NIODeadline.now()
        _ = flow.submit(delivery(.atLeastOnce, topic: "old", expiresAt: now - .seconds(1)), online: false)
        _ = flow.submit(delivery(.atLeastOnce, topic: "fresh", expiresAt: now + .seconds(60)), online: false)
        var drops: [DropReason] = []
        let next = flow.nextQueued(now: now, dropped: { drops.append($0) })
        #expect(next?.1.message.topic.string == "fresh")
        #expect(drops == [.expired])
    }
}
