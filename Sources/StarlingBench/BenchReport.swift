import MQTTCodec

/// The outcome of a run: what was sent and received, how fast, how late, and whether it passed.
public struct BenchReport: Sendable {
    /// What `latency` measures.
    public enum LatencyKind: String, Sendable {
        /// From the publisher's send to the subscriber's receipt.
        case delivery
        /// From the publisher's send to its PUBACK or PUBCOMP (`pub` at QoS 1/2).
        case acknowledgement
    }

    public var scenario: BenchScenario
    public var protocolVersion: ProtocolVersion
    public var qos: QoS
    /// Clients planned (publishers + subscribers + idle connections).
    public var clients: Int
    public var connected: Int
    public var connectFailures: Int
    /// Connections lost after the handshake without us closing them.
    public var disconnects: UInt64
    /// Seconds over which rates are computed (the duration less the warm-up).
    public var measuredSeconds: Double
    /// `nil` where the scenario does not publish.
    public var sent: UInt64?
    public var acknowledged: UInt64?
    public var rejected: UInt64?
    /// `nil` where the scenario does not subscribe.
    public var delivery: DeliveryTally?
    public var sendRate: Double?
    public var receiveRate: Double?
    public var latency: LatencySummary?
    public var latencyKind: LatencyKind
    /// Connections per second in the connect phase.
    public var connectRate: Double
    public var connectLatency: LatencySummary?
    public var pausedInflightFull: UInt64
    public var pausedNotWritable: UInt64
    /// Why connections failed or were lost, counted.
    public var failures: [String: Int]

    public init(
        scenario: BenchScenario,
        protocolVersion: ProtocolVersion,
        qos: QoS,
        clients: Int,
        connected: Int,
        connectFailures: Int,
        disconnects: UInt64 = 0,
        measuredSeconds: Double,
        sent: UInt64? = nil,
        acknowledged: UInt64? = nil,
        rejected: UInt64? = nil,
        delivery: DeliveryTally? = nil,
        sendRate: Double? = nil,
        receiveRate: Double? = nil,
        latency: LatencySummary? = nil,
        latencyKind: LatencyKind = .delivery,
        connectRate: Double,
        connectLatency: LatencySummary? = nil,
        pausedInflightFull: UInt64 = 0,
        pausedNotWritable: UInt64 = 0,
        failures: [String: Int] = [:]
    ) {
        self.scenario = scenario
        self.protocolVersion = protocolVersion
        self.qos = qos
        self.clients = clients
        self.connected = connected
        self.connectFailures = connectFailures
        self.disconnects = disconnects
        self.measuredSeconds = measuredSeconds
        self.sent = sent
        self.acknowledged = acknowledged
        self.rejected = rejected
        self.delivery = delivery
        self.sendRate = sendRate
        self.receiveRate = receiveRate
        self.latency = latency
        self.latencyKind = latencyKind
        self.connectRate = connectRate
        self.connectLatency = connectLatency
        self.pausedInflightFull = pausedInflightFull
        self.pausedNotWritable = pausedNotWritable
        self.failures = failures
    }

    /// Why the run counts as failed; empty when it passed. Scripts use the exit code this drives.
    public var failedChecks: [String] {
        var failed: [String] = []
        if connectFailures > 0 { failed.append("\(connectFailures) connection(s) failed") }
        if disconnects > 0 { failed.append("\(disconnects) connection(s) lost") }
        // Loss, duplication and reordering are failures only where the protocol rules them out:
        // both ends in this process, QoS 1 or 2, no reconnection.
        if scenario == .pubsub, qos != .atMostOnce, let delivery {
            if delivery.expected == 0 && connectFailures == 0 {
                failed.append("no delivery was expected: do the filters match the topics?")
            }
            if delivery.lost > 0 { failed.append("\(delivery.lost) message(s) lost") }
            if delivery.duplicated > 0 { failed.append("\(delivery.duplicated) message(s) duplicated") }
            if delivery.reordered > 0 { failed.append("\(delivery.reordered) message(s) reordered") }
            if delivery.malformed > 0 { failed.append("\(delivery.malformed) malformed payload(s)") }
        }
        return failed
    }

    public var passed: Bool { failedChecks.isEmpty }
}
