import MQTTCodec

/// Which load a run generates.
public enum BenchScenario: String, Sendable, CaseIterable {
    /// Publishers only: send rate, and acknowledgement latency at QoS 1 and 2.
    case pub
    /// Subscribers only: receive rate, loss and order inferred from the sequences seen, latency
    /// when the publishers run on this machine (the monotonic clock is shared by its processes).
    case sub
    /// Idle connections: connection rate and CONNACK latency, then held for the duration.
    case conn
    /// Publishers and subscribers in one process, so latency and loss are measured exactly.
    case pubsub
}

/// Everything a run needs, already parsed. `validate()` before running.
public struct BenchConfiguration: Sendable {
    public var scenario: BenchScenario
    /// Publishers connect round-robin over these.
    public var publisherHosts: [BenchHost] = [BenchHost(host: "127.0.0.1", port: BenchHost.defaultPort)]
    /// Subscribers (and idle `conn` clients) connect round-robin over these.
    public var subscriberHosts: [BenchHost] = [BenchHost(host: "127.0.0.1", port: BenchHost.defaultPort)]
    public var publishers = 0
    public var subscribers = 0
    /// Idle clients of the `conn` scenario.
    public var connections = 0
    /// Publisher topics; `%i` is the publisher index.
    public var topic: TopicPattern
    /// Subscriber filters; `%i` is the subscriber index. May be `$share/{group}/…`.
    public var filter: TopicPattern
    /// For publishing and subscribing.
    public var qos: QoS = .atMostOnce
    /// Bytes of each payload, header included.
    public var payloadSize = 64
    /// Messages per second per publisher; 0 sends as fast as the window and the socket allow.
    public var rate: Double = 0
    /// Unacknowledged QoS 1/2 publishes per publisher (capped by the server's Receive Maximum).
    public var inflight = 64
    public var duration: Duration = .seconds(10)
    /// Latencies of messages sent before this much of the run has passed are not recorded.
    public var warmup: Duration = .zero
    /// How long to wait, after publishers stop, for messages still on their way.
    public var drain: Duration = .seconds(5)
    public var protocolVersion: ProtocolVersion = .v5
    /// New connections per second in the connect phase; 0 connects as fast as possible.
    public var connectRate: Double = 0
    public var keepAlive: UInt16 = 60
    public var connectTimeout: Duration = .seconds(10)
    /// Client identifiers are `{prefix}{p|s|c}{index}`.
    public var clientIDPrefix = "bench-"
    public var username: String?
    public var password: String?
    /// Seconds between progress reports while running; zero for none.
    public var progressInterval: Duration = .seconds(1)

    public init(scenario: BenchScenario) throws(BenchConfigurationError) {
        self.scenario = scenario
        self.topic = try TopicPattern("bench/%i")
        self.filter = try TopicPattern("bench/#")
    }

    /// Rejects values the run cannot honour, naming the option.
    public func validate() throws(BenchConfigurationError) {
        switch scenario {
        case .pub:
            try Self.require(publishers >= 1, "--clients", publishers, "at least 1")
            try Self.require(!publisherHosts.isEmpty, "--host", "none", "at least one")
        case .sub:
            try Self.require(subscribers >= 1, "--clients", subscribers, "at least 1")
            try Self.require(!subscriberHosts.isEmpty, "--host", "none", "at least one")
        case .conn:
            try Self.require(connections >= 1, "--clients", connections, "at least 1")
            try Self.require(!subscriberHosts.isEmpty, "--host", "none", "at least one")
        case .pubsub:
            try Self.require(publishers >= 1, "--publishers", publishers, "at least 1")
            try Self.require(subscribers >= 1, "--subscribers", subscribers, "at least 1")
            try Self.require(!publisherHosts.isEmpty, "--pub-host", "none", "at least one")
            try Self.require(!subscriberHosts.isEmpty, "--sub-host", "none", "at least one")
        }
        try Self.require(publishers <= Int(UInt32.max), "--publishers", publishers, "at most \(UInt32.max)")
        try Self.require(
            payloadSize >= PayloadHeader.size,
            "--payload-size",
            payloadSize,
            "at least \(PayloadHeader.size)"
        )
        try Self.require(payloadSize <= Self.maximumPayloadSize, "--payload-size", payloadSize, "at most 16 MiB")
        try Self.require(rate >= 0 && rate.isFinite, "--rate", rate, "0 (unlimited) or more")
        try Self.require((1...65_535).contains(inflight), "--inflight", inflight, "1...65535")
        try Self.require(duration > .zero, "--duration", duration, "more than 0")
        try Self.require(warmup >= .zero && warmup < duration, "--warmup", warmup, "0 or more, less than --duration")
        try Self.require(drain >= .zero, "--drain", drain, "0 or more")
        try Self.require(
            connectRate >= 0 && connectRate.isFinite,
            "--connect-rate",
            connectRate,
            "0 (unlimited) or more"
        )
        try Self.require(connectTimeout > .zero, "--connect-timeout", connectTimeout, "more than 0")
        try Self.require(protocolVersion != .v3_1, "--protocol", "3.1", "3.1.1 or 5")
        if scenario == .pub || scenario == .pubsub {
            let topic = self.topic.expand(clientIndex: 0)
            if topic.contains(where: { $0 == "+" || $0 == "#" }) {
                throw .invalidTopicPattern(self.topic.description, reason: "a topic name has no wildcards")
            }
        }
        if scenario == .sub || scenario == .pubsub {
            _ = try BenchTopicFilter(filter.expand(clientIndex: 0))
        }
    }

    /// Payloads larger than this are refused: they would need a decoder limit past what a
    /// benchmark needs, and every subscriber buffers at least one.
    public static let maximumPayloadSize = 16 << 20

    private static func require(
        _ condition: Bool,
        _ option: String,
        _ value: some Any,
        _ expected: String
    ) throws(BenchConfigurationError) {
        guard condition else { throw .outOfRange(option: option, value: "\(value)", expected: expected) }
    }
}

extension Duration {
    /// Whole nanoseconds, clamped at zero and at `UInt64.max`.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        return whole &+ UInt64(attoseconds / 1_000_000_000)
    }

    var secondsValue: Double { Double(nanoseconds) / 1e9 }
}
