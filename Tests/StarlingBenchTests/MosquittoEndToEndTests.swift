import Foundation
import MQTTCodec
import NIOCore
import NIOPosix
import Testing

@testable import StarlingBench

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `pubsub` against a real broker: mosquitto on a free loopback port, started by the test.
/// Skipped (with the reason shown) when `mosquitto` is not on PATH.
@Suite(
    "End to end against mosquitto",
    .serialized,
    .enabled(if: MosquittoProcess.executable != nil, "mosquitto is not on PATH")
)
struct MosquittoEndToEndTests {
    @Test func pubsub_reportsEveryMessageDeliveredInOrder_atQoS1OverMQTT5() async throws {
        let broker = try await MosquittoProcess.start()
        defer { broker.stop() }
        var configuration = try BenchConfiguration(scenario: .pubsub)
        configuration.publisherHosts = [BenchHost(host: "127.0.0.1", port: broker.port)]
        configuration.subscriberHosts = configuration.publisherHosts
        configuration.publishers = 3
        configuration.subscribers = 2
        configuration.qos = .atLeastOnce
        configuration.rate = 50
        configuration.duration = .seconds(2)
        configuration.progressInterval = .zero
        let report = try await BenchRunner(configuration: configuration).run()

        #expect(report.passed, "\(report.failedChecks)")
        let sent = try #require(report.sent)
        let delivery = try #require(report.delivery)
        #expect((270...300).contains(sent), "3 publishers × 50/s × 2 s, got \(sent)")
        #expect(report.acknowledged == sent)
        #expect(delivery.expected == 2 * sent)
        #expect(delivery.received == delivery.expected)
        #expect(delivery.lost == 0 && delivery.duplicated == 0 && delivery.reordered == 0)
        // A publisher stamps a message with the time its loop last read the clock, so its first
        // message may predate the measurement window by a tick and be left out of the latencies.
        let latencyCount = Int(report.latency?.count ?? 0)
        #expect((Int(delivery.received) - configuration.publishers * 2...Int(delivery.received)).contains(latencyCount))
        #expect(report.connected == 5)
        #expect(report.jsonLine.contains(#""lost":0,"duplicated":0,"reordered":0"#))
    }

    @Test func pubsub_splitsMessagesAcrossASharedGroupWithoutLoss_atQoS2OverMQTT311() async throws {
        let broker = try await MosquittoProcess.start()
        defer { broker.stop() }
        var configuration = try BenchConfiguration(scenario: .pubsub)
        configuration.publisherHosts = [BenchHost(host: "127.0.0.1", port: broker.port)]
        configuration.subscriberHosts = configuration.publisherHosts
        configuration.protocolVersion = .v3_1_1
        configuration.publishers = 2
        configuration.subscribers = 3
        configuration.filter = try TopicPattern("$share/g/bench/#")
        configuration.qos = .exactlyOnce
        configuration.rate = 50
        configuration.duration = .seconds(2)
        configuration.progressInterval = .zero
        let report = try await BenchRunner(configuration: configuration).run()

        #expect(report.passed, "\(report.failedChecks)")
        let delivery = try #require(report.delivery)
        #expect(delivery.expected == report.sent, "a shared group receives each message once")
        #expect(delivery.unique == delivery.expected)
    }

    @Test func conn_reportsEveryConnection_andFailsWhenTheBrokerIsGone() async throws {
        let broker = try await MosquittoProcess.start()
        var configuration = try BenchConfiguration(scenario: .conn)
        configuration.subscriberHosts = [BenchHost(host: "127.0.0.1", port: broker.port)]
        configuration.connections = 20
        configuration.duration = .milliseconds(200)
        configuration.progressInterval = .zero
        let report = try await BenchRunner(configuration: configuration).run()
        #expect(report.passed, "\(report.failedChecks)")
        #expect(report.connected == 20)
        #expect(report.connectLatency?.count == 20)

        broker.stop()
        let refused = try await BenchRunner(configuration: configuration).run()
        #expect(!refused.passed)
        #expect(refused.connectFailures == 20)
    }
}

/// A mosquitto broker on a free loopback port, stopped by `stop()`.
final class MosquittoProcess: Sendable {
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"]
        return directories.map { $0 + "/mosquitto" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    static func start() async throws -> MosquittoProcess {
        let executable = try #require(executable)
        let port = try await freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let broker = MosquittoProcess(port: port, process: process)
        do {
            try await waitUntilListening(port: port, deadline: .now + .seconds(10))
        } catch {
            broker.stop()
            throw error
        }
        return broker
    }

    /// SIGKILL, not SIGTERM: the broker inherits this process's blocked signals, so SIGTERM could
    /// stay pending forever. The broker keeps nothing worth a clean shutdown.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Binds port 0 and returns what the system chose; mosquitto binds it right after.
    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    /// Connects until the broker accepts, or fails at the deadline.
    private static func waitUntilListening(port: Int, deadline: ContinuousClock.Instant) async throws {
        while true {
            do {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port)
                    .get()
                try await channel.close()
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
