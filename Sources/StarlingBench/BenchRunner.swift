import Histogram
import MQTTCodec
import NIOCore
import NIOPosix

/// Runs one scenario: connect the clients, measure for the duration, drain, collect, report.
///
/// All clients share one event loop group, one loop per CPU the tool may use. Each loop has one
/// `BenchLoopContext` holding its clients' counters and histograms; the runner talks to the
/// loops only by submitting closures to them, so no client state is shared between threads.
public struct BenchRunner: Sendable {
    public let configuration: BenchConfiguration
    private let eventLoops: Int

    /// Connection attempts outstanding at once, so thousands of clients do not all SYN together.
    static let maximumPendingConnects = 256
    /// How often the drain checks whether everything has arrived.
    static let drainPollInterval: Duration = .milliseconds(10)
    /// At QoS 0 nothing is resent, so the drain ends once arrivals stop for this long.
    static let quietPeriodAtQoS0: Duration = .seconds(1)

    /// - Parameter eventLoops: the clients' event loops; one per CPU the process may run on, so that
    ///   a tool pinned to one CPU (as `scripts/bench` does) does not have loops take turns on it and
    ///   add their waits to the latency it measures.
    public init(configuration: BenchConfiguration, eventLoops: Int = System.coreCount) {
        self.configuration = configuration
        self.eventLoops = max(1, eventLoops)
    }

    /// Runs the scenario. Throws only when it cannot start (bad configuration, unknown host);
    /// failed connections are counted in the report.
    public func run(progress: (@Sendable (BenchProgress) -> Void)? = nil) async throws -> BenchReport {
        try configuration.validate()
        let plans = try configuration.clientPlans()
        let addresses = try Self.resolve(plans.publishers + plans.subscribers + plans.idle)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoops)
        let result: Result<BenchReport, any Error>
        do {
            result = .success(try await run(plans: plans, addresses: addresses, group: group, progress: progress))
        } catch {
            result = .failure(error)
        }
        try await group.shutdownGracefully()
        return try result.get()
    }

    private func run(
        plans: (publishers: [ClientPlan], subscribers: [ClientPlan], idle: [ClientPlan]),
        addresses: [BenchHost: SocketAddress],
        group: MultiThreadedEventLoopGroup,
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws -> BenchReport {
        let loops = LoopSet(group: group)
        let clients = ClientFactory(
            configuration: configuration,
            loops: loops,
            addresses: addresses,
            payloadTemplate: ByteBuffer(repeating: 0, count: configuration.payloadSize)
        )
        // Subscribers first, so that nothing published is missed.
        var connect = await clients.connect(plans.subscribers + plans.idle, offset: 0)
        connect += await clients.connect(plans.publishers, offset: plans.subscribers.count + plans.idle.count)

        // With nothing connected there is nothing to measure: report the failures at once.
        let measuredDuration = connect.connected > 0 ? configuration.duration.nanoseconds : 0
        let window = MeasurementWindow(
            start: MonotonicClock.now(),
            warmup: min(configuration.warmup.nanoseconds, measuredDuration),
            duration: measuredDuration
        )
        try await loops.forEach { $0.startMeasuring(window) }
        try await reportProgress(until: window.end, window: window, loops: loops, progress: progress)
        try await loops.forEach { $0.stopPublishing() }

        let publisherResults = try await loops.collect { $0.clients.compactMap(\.publisherResult) }.flatMap { $0 }
        try await drain(publishers: publisherResults, subscribers: plans.subscribers, loops: loops)

        let results = try await loops.collect { $0.results }
        try await loops.disconnectAll()
        return makeReport(results: results, connect: connect, window: window)
    }

    // MARK: Phases

    private func reportProgress(
        until end: UInt64,
        window: MeasurementWindow,
        loops: LoopSet,
        progress: (@Sendable (BenchProgress) -> Void)?
    ) async throws {
        let interval = configuration.progressInterval.nanoseconds
        var previous = (time: window.start, counters: LoopCounters())
        while true {
            let now = MonotonicClock.now()
            guard now < end else { return }
            let wait = interval > 0 ? min(interval, end - now) : end - now
            try await Task.sleep(for: .nanoseconds(Int64(wait)))
            // Idle connections have no traffic to report.
            guard let progress, interval > 0, configuration.scenario != .conn else { continue }
            let snapshot = try await loops.progress()
            let time = MonotonicClock.now()
            let seconds = Double(time - previous.time) / 1e9
            progress(
                BenchProgress(
                    elapsedSeconds: Double(time - window.start) / 1e9,
                    sent: snapshot.counters.sent,
                    received: snapshot.counters.received,
                    sendRate: Double(snapshot.counters.sent - previous.counters.sent) / seconds,
                    receiveRate: Double(snapshot.counters.received - previous.counters.received) / seconds,
                    inflight: snapshot.inflight
                )
            )
            previous = (time, snapshot.counters)
        }
    }

    /// Waits, up to `--drain`, for unacknowledged publishes and undelivered messages.
    private func drain(publishers: [PublisherResult], subscribers: [ClientPlan], loops: LoopSet) async throws {
        guard configuration.scenario == .pub || configuration.scenario == .pubsub else { return }
        let expected: UInt64? =
            configuration.scenario == .pubsub
            ? DeliveryTally.expectedDeliveries(of: publishers, to: Self.subscriptions(of: subscribers)) : nil
        let deadline = MonotonicClock.now() + configuration.drain.nanoseconds
        var lastReceived: UInt64 = 0
        var lastArrival = MonotonicClock.now()
        while true {
            let snapshot = try await loops.progress()
            let now = MonotonicClock.now()
            if snapshot.counters.received != lastReceived {
                lastReceived = snapshot.counters.received
                lastArrival = now
            }
            let acknowledged = snapshot.inflight == 0
            let delivered = expected.map { snapshot.counters.received >= $0 } ?? true
            let quiet = configuration.qos == .atMostOnce && now - lastArrival >= Self.quietPeriodAtQoS0.nanoseconds
            if acknowledged && (delivered || quiet) { return }
            if now >= deadline { return }
            try await Task.sleep(for: Self.drainPollInterval)
        }
    }

    /// One filter per distinct subscription: shared groups count once.
    static func subscriptions(of subscribers: [ClientPlan]) -> [BenchTopicFilter] {
        var seen = Set<BenchTopicFilter>()
        var filters: [BenchTopicFilter] = []
        for plan in subscribers {
            guard case .subscriber(let subscriber) = plan.role else { continue }
            if subscriber.filter.shareGroup != nil {
                guard seen.insert(subscriber.filter).inserted else { continue }
            }
            filters.append(subscriber.filter)
        }
        return filters
    }

    private static func resolve(_ plans: [ClientPlan]) throws -> [BenchHost: SocketAddress] {
        var addresses: [BenchHost: SocketAddress] = [:]
        for host in Set(plans.map(\.host)) {
            addresses[host] = try SocketAddress.makeAddressResolvingHost(host.host, port: host.port)
        }
        return addresses
    }

    // MARK: Report

    private func makeReport(results: [LoopResults], connect: ConnectPhaseResult, window: MeasurementWindow)
        -> BenchReport
    {
        let scenario = configuration.scenario
        var counters = LoopCounters()
        var latency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var acknowledgementLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var connectLatency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var failures = connect.failures
        var publishers: [PublisherResult] = []
        var subscribers: [SubscriberResult] = []
        for result in results {
            counters = counters + result.counters
            latency.add(result.latency)
            acknowledgementLatency.add(result.acknowledgementLatency)
            connectLatency.add(result.connectLatency)
            failures.merge(result.failures, uniquingKeysWith: +)
            publishers += result.publishers
            subscribers += result.subscribers
        }
        let publishes = scenario == .pub || scenario == .pubsub
        let subscribes = scenario == .sub || scenario == .pubsub
        let seconds = window.measuredSeconds
        let latencyKind: BenchReport.LatencyKind = scenario == .pub ? .acknowledgement : .delivery
        return BenchReport(
            scenario: scenario,
            protocolVersion: configuration.protocolVersion,
            qos: configuration.qos,
            clients: connect.attempted,
            connected: connect.connected,
            connectFailures: connect.attempted - connect.connected,
            disconnects: counters.disconnects,
            measuredSeconds: seconds,
            sent: publishes ? counters.sent : nil,
            acknowledged: publishes && configuration.qos != .atMostOnce ? counters.acknowledged : nil,
            rejected: publishes && configuration.qos != .atMostOnce ? counters.rejected : nil,
            delivery: subscribes
                ? DeliveryTally.tally(subscribers: subscribers, publishers: scenario == .pubsub ? publishers : nil)
                : nil,
            sendRate: publishes ? Double(counters.sentMeasured) / seconds : nil,
            receiveRate: subscribes ? Double(counters.receivedMeasured) / seconds : nil,
            latency: LatencySummary(latencyKind == .delivery ? latency : acknowledgementLatency),
            latencyKind: latencyKind,
            connectRate: connect.rate,
            connectLatency: LatencySummary(connectLatency),
            pausedInflightFull: counters.pausedInflightFull,
            pausedNotWritable: counters.pausedNotWritable,
            failures: failures
        )
    }
}
