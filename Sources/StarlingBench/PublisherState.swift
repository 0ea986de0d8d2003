import MQTTCodec
import NIOCore

/// Why a publisher is not sending right now.
enum PauseReason: Sendable {
    /// `--inflight` (or the server's Receive Maximum) unacknowledged publishes are outstanding.
    case inflightFull
    /// The socket's send buffer is above its high-water mark.
    case notWritable
}

/// A publisher's progress: its sequence, its window of unacknowledged publishes and its pacing.
struct PublisherState {
    let plan: PublisherPlan
    /// `payloadSize` zero bytes; only its length is used, to encode the headers.
    let payloadTemplate: ByteBuffer
    /// Bytes of one PUBLISH on the wire.
    let packetSize: Int
    var window: OutboundWindow
    /// `nil` when unlimited.
    let pacer: PublishPacer?
    /// Messages sent, which is also the next sequence number.
    var sent: UInt64 = 0
    var measurement: MeasurementWindow?
    var running = false
    var tickTimer: Scheduled<Void>?
    /// A send loop is queued on the event loop (unlimited QoS 0).
    var pumpScheduled = false
    /// Acknowledgements freed slots during this read; refill once the read completes.
    var windowNeedsRefill = false

    init(plan: PublisherPlan, payloadTemplate: ByteBuffer, version: ProtocolVersion) {
        precondition(payloadTemplate.readableBytes == plan.payloadSize, "the template is one payload long")
        self.plan = plan
        self.payloadTemplate = payloadTemplate
        self.window = OutboundWindow(capacity: plan.inflight)
        self.pacer = plan.rate > 0 ? PublishPacer(rate: plan.rate, phaseNanoseconds: plan.phaseNanoseconds) : nil
        let sample = MQTTPacket.Publish(
            topic: plan.topic,
            payload: payloadTemplate,
            qos: plan.qos,
            packetID: plan.qos == .atMostOnce ? nil : 1
        )
        self.packetSize = MQTTPacket.publish(sample).encodedSize(version: version)
    }
}
