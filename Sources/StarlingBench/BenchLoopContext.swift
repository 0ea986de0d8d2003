import Histogram
import NIOCore

/// Counters summed over the clients of one event loop (and then over loops).
public struct LoopCounters: Sendable, Equatable {
    public var sent: UInt64 = 0
    /// Sent inside the measurement window (after warm-up).
    public var sentMeasured: UInt64 = 0
    /// QoS 1/2 publishes the server accepted.
    public var acknowledged: UInt64 = 0
    /// QoS 1/2 publishes the server refused (reason code 0x80 or above).
    public var rejected: UInt64 = 0
    public var received: UInt64 = 0
    public var receivedMeasured: UInt64 = 0
    /// Connections lost after they were established, without us closing them.
    public var disconnects: UInt64 = 0
    /// Times a publisher had to wait, by reason.
    public var pausedInflightFull: UInt64 = 0
    public var pausedNotWritable: UInt64 = 0

    public init() {}

    public static func + (lhs: LoopCounters, rhs: LoopCounters) -> LoopCounters {
        var sum = lhs
        sum.sent += rhs.sent
        sum.sentMeasured += rhs.sentMeasured
        sum.acknowledged += rhs.acknowledged
        sum.rejected += rhs.rejected
        sum.received += rhs.received
        sum.receivedMeasured += rhs.receivedMeasured
        sum.disconnects += rhs.disconnects
        sum.pausedInflightFull += rhs.pausedInflightFull
        sum.pausedNotWritable += rhs.pausedNotWritable
        return sum
    }
}

/// A mid-run look at one loop, cheap enough to take every few milliseconds while draining.
struct LoopProgress: Sendable {
    var counters: LoopCounters
    /// Unacknowledged QoS 1/2 publishes.
    var inflight: Int
}

/// Everything one loop measured, collected once at the end.
struct LoopResults: Sendable {
    var counters: LoopCounters
    var latency: Histogram<UInt64>
    var acknowledgementLatency: Histogram<UInt64>
    var connectLatency: Histogram<UInt64>
    var publishers: [PublisherResult]
    var subscribers: [SubscriberResult]
    var failures: [String: Int]
}

/// The state shared by the clients of one event loop, touched only on that loop, so recording
/// needs no lock: one histogram per loop instead of one per client.
final class BenchLoopContext {
    let eventLoop: any EventLoop
    /// Set when measuring starts; latencies and rates are recorded only inside it.
    var window: MeasurementWindow?
    var counters = LoopCounters()
    /// Publish-to-delivery latency, microseconds.
    var latency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    /// Publish-to-PUBACK/PUBCOMP latency, microseconds.
    var acknowledgementLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    /// Connect-to-CONNACK latency, microseconds.
    var connectLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    /// Clients that completed their handshake.
    private(set) var clients: [BenchClientHandler] = []
    /// Why connections failed or closed, counted. Bounded: after `maximumFailureKinds` distinct
    /// reasons, the rest count under one.
    private(set) var failures: [String: Int] = [:]
    static let maximumFailureKinds = 32

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func register(_ client: BenchClientHandler) {
        clients.append(client)
    }

    func recordFailure(_ reason: String) {
        if failures[reason] != nil || failures.count < Self.maximumFailureKinds {
            failures[reason, default: 0] += 1
        } else {
            failures["other failures", default: 0] += 1
        }
    }

    func startMeasuring(_ window: MeasurementWindow) {
        self.window = window
        for client in clients { client.startPublishing(window: window) }
    }

    func stopPublishing() {
        for client in clients { client.stopPublishing() }
    }

    var progress: LoopProgress {
        LoopProgress(counters: counters, inflight: clients.reduce(0) { $0 + $1.inflight })
    }

    var results: LoopResults {
        LoopResults(
            counters: counters,
            latency: latency,
            acknowledgementLatency: acknowledgementLatency,
            connectLatency: connectLatency,
            publishers: clients.compactMap(\.publisherResult),
            subscribers: clients.compactMap(\.subscriberResult),
            failures: failures
        )
    }

    /// Sends DISCONNECT on every connection and closes it; succeeds when all are closed.
    func disconnectAll() -> EventLoopFuture<Void> {
        let closed = clients.map { $0.disconnect() }
        return EventLoopFuture.andAllComplete(closed, on: eventLoop)
    }
}
