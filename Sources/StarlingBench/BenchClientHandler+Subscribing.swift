import Histogram
import MQTTCodec
import NIOCore

/// A subscriber's accounting: what arrived, from whom, in which order.
struct SubscriberState {
    let plan: SubscriberPlan
    var accounting: SubscriberAccounting

    init(plan: SubscriberPlan) {
        self.plan = plan
        self.accounting = SubscriberAccounting(publisherLimit: plan.publisherLimit)
    }
}

/// Receiving: acknowledge as QoS 1/2 require, then account for the message and its latency.
extension BenchClientHandler {
    var subscriberResult: SubscriberResult? {
        guard let subscriber else { return nil }
        return SubscriberResult(
            subscriberIndex: subscriber.plan.index,
            filter: subscriber.plan.filter,
            accounting: subscriber.accounting
        )
    }

    func receivedPublish(_ publish: MQTTPacket.Publish, now: UInt64) {
        switch inbound.receivedPublish(qos: publish.qos, packetID: publish.packetID) {
        case .deliver:
            deliver(publish, now: now)
        case .deliverAndSendPubAck(let packetID):
            deliver(publish, now: now)
            send(.pubAck(MQTTPacket.PubAck(packetID: packetID)), now: now)
        case .deliverAndSendPubRec(let packetID):
            deliver(publish, now: now)
            send(.pubRec(MQTTPacket.PubRec(packetID: packetID)), now: now)
        case .sendPubRec(let packetID):
            send(.pubRec(MQTTPacket.PubRec(packetID: packetID)), now: now)
        case .protocolViolation(let reason):
            fail(reason)
        }
    }

    private func deliver(_ publish: MQTTPacket.Publish, now: UInt64) {
        guard subscriber != nil else { return }
        loop.counters.received += 1
        let window = loop.window
        if let window, window.measures(now) { loop.counters.receivedMeasured += 1 }
        guard let header = PayloadHeader(from: publish.payload) else {
            subscriber!.accounting.recordMalformedPayload()
            return
        }
        let arrival = subscriber!.accounting.record(publisher: header.publisherIndex, sequence: header.sequence)
        guard arrival != .outOfRange else { return }
        // Only messages sent after the warm-up, by a clock this one can read (same machine).
        if let window, header.sentAtNanoseconds >= window.warmupEnd, now >= header.sentAtNanoseconds {
            loop.latency.record((now - header.sentAtNanoseconds) / 1_000)
        }
    }
}
