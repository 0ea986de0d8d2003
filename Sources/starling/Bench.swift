import ArgumentParser
import Foundation
import MQTTCodec
import StarlingBench
import StarlingServer

/// `starling bench`: MQTT load generation with exact loss, order and latency accounting.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate MQTT load against a broker and measure it.",
        discussion: """
            Every payload carries its send time, publisher index and sequence number, so subscribers \
            count loss, duplicates and reordering, and measure latency. Prints a summary and one JSON \
            line; exits non-zero when a connection fails or (pubsub, QoS 1/2) a message is lost, \
            duplicated or reordered. See docs/bench.md.
            """,
        subcommands: [Pub.self, Sub.self, Conn.self, PubSub.self]
    )
}

extension Bench {
    /// Options every scenario takes: where to connect and how.
    struct ConnectionOptions: ParsableArguments {
        @Option(
            name: .customLong("host"),
            help: ArgumentHelp("Broker address, repeatable; clients go round-robin.", valueName: "host:port")
        )
        var hosts: [String] = ["127.0.0.1:1883"]

        @Option(name: .customLong("protocol"), help: ArgumentHelp("MQTT version: 3.1.1 or 5.", valueName: "version"))
        var protocolVersion = "5"

        @Option(help: ArgumentHelp("Keep alive in seconds (0 disables).", valueName: "seconds"))
        var keepalive: UInt16 = 60

        @Option(help: ArgumentHelp("New connections per second; 0 is unlimited.", valueName: "N/s"))
        var connectRate = "0"

        @Option(help: ArgumentHelp("Seconds to wait for CONNACK (and SUBACK).", valueName: "seconds"))
        var connectTimeout: Double = 10

        @Option(help: ArgumentHelp("Client identifier prefix (default bench-PID-).", valueName: "prefix"))
        var clientIDPrefix: String?

        @Option(help: "User name sent in CONNECT.")
        var username: String?

        @Option(help: "Password sent in CONNECT.")
        var password: String?

        @Flag(help: "Print only the JSON line.")
        var json = false
    }

    /// How long the run lasts.
    struct RunOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Seconds to publish (or hold connections).", valueName: "seconds"))
        var duration: Double = 10

        @Option(help: ArgumentHelp("Seconds at the start whose latencies are ignored.", valueName: "seconds"))
        var warmup: Double = 0

        @Option(help: ArgumentHelp("Seconds to wait for in-flight messages after publishing.", valueName: "seconds"))
        var drain: Double = 5
    }

    /// What publishers send.
    struct PublishOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Topic; %i is the publisher index.", valueName: "pattern"))
        var topic = "bench/%i"

        @Option(help: ArgumentHelp("Payload bytes, at least 20 (the header).", valueName: "bytes"))
        var payloadSize = 64

        @Option(help: ArgumentHelp("Messages per second per publisher; 0 is unlimited.", valueName: "msg/s"))
        var rate: Double = 0

        @Option(help: ArgumentHelp("Unacknowledged QoS 1/2 publishes per publisher.", valueName: "N"))
        var inflight = 64
    }

    struct QoSOption: ParsableArguments {
        @Option(help: ArgumentHelp("Quality of service: 0, 1 or 2.", valueName: "0|1|2"))
        var qos: UInt8 = 0
    }

    struct FilterOption: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "Subscription filter; %i is the subscriber index; may be $share/….",
                valueName: "pattern"
            )
        )
        var filter = "bench/#"
    }

    struct Pub: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publishers only: send rate and acknowledgement latency."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Publishers.") var clients = 1
        @OptionGroup var publish: PublishOptions
        @OptionGroup var qos: QoSOption
        @OptionGroup var run: RunOptions

        func run() async throws {
            try await Bench.execute(json: connection.json) {
                var configuration = try Bench.configuration(.pub, connection, run)
                configuration.publishers = clients
                configuration.publisherHosts = try connection.hosts.map(BenchHost.init(parsing:))
                try Bench.apply(publish, qos, to: &configuration)
                return configuration
            }
        }
    }

    struct Sub: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribers only: receive rate, loss and order inferred from sequences, latency."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Subscribers.") var clients = 1
        @OptionGroup var filter: FilterOption
        @OptionGroup var qos: QoSOption
        @Option(help: ArgumentHelp("Largest payload expected, in bytes.", valueName: "bytes"))
        var payloadSize = 64
        @OptionGroup var run: RunOptions

        func run() async throws {
            try await Bench.execute(json: connection.json) {
                var configuration = try Bench.configuration(.sub, connection, run)
                configuration.subscribers = clients
                configuration.subscriberHosts = try connection.hosts.map(BenchHost.init(parsing:))
                configuration.filter = try TopicPattern(filter.filter)
                configuration.qos = try Bench.qos(qos.qos)
                configuration.payloadSize = payloadSize
                return configuration
            }
        }
    }

    struct Conn: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Idle connections: connection rate and latency, held for the duration."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Connections.") var clients = 1
        @OptionGroup var run: RunOptions

        func run() async throws {
            try await Bench.execute(json: connection.json) {
                var configuration = try Bench.configuration(.conn, connection, run)
                configuration.connections = clients
                configuration.subscriberHosts = try connection.hosts.map(BenchHost.init(parsing:))
                return configuration
            }
        }
    }

    struct PubSub: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pubsub",
            abstract: "Publishers and subscribers in one process: exact loss, order and latency."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(help: ArgumentHelp("Publishers' broker address, repeatable (default: --host).", valueName: "host:port"))
        var pubHost: [String] = []
        @Option(
            help: ArgumentHelp("Subscribers' broker address, repeatable (default: --host).", valueName: "host:port")
        )
        var subHost: [String] = []
        @Option(help: "Publishers.") var publishers = 1
        @Option(help: "Subscribers.") var subscribers = 1
        @OptionGroup var publish: PublishOptions
        @OptionGroup var filter: FilterOption
        @OptionGroup var qos: QoSOption
        @OptionGroup var run: RunOptions

        func run() async throws {
            try await Bench.execute(json: connection.json) {
                var configuration = try Bench.configuration(.pubsub, connection, run)
                configuration.publishers = publishers
                configuration.subscribers = subscribers
                let publisherHosts = pubHost.isEmpty ? connection.hosts : pubHost
                let subscriberHosts = subHost.isEmpty ? connection.hosts : subHost
                configuration.publisherHosts = try publisherHosts.map(BenchHost.init(parsing:))
                configuration.subscriberHosts = try subscriberHosts.map(BenchHost.init(parsing:))
                configuration.filter = try TopicPattern(filter.filter)
                try Bench.apply(publish, qos, to: &configuration)
                return configuration
            }
        }
    }
}

extension Bench {
    fileprivate static func configuration(
        _ scenario: BenchScenario,
        _ connection: ConnectionOptions,
        _ run: RunOptions
    ) throws -> BenchConfiguration {
        var configuration = try BenchConfiguration(scenario: scenario)
        switch connection.protocolVersion {
        case "3.1.1", "4": configuration.protocolVersion = .v3_1_1
        case "5", "5.0": configuration.protocolVersion = .v5
        default: throw ValidationError("--protocol must be 3.1.1 or 5, got \(connection.protocolVersion)")
        }
        configuration.keepAlive = connection.keepalive
        let rate =
            connection.connectRate.hasSuffix("/s")
            ? connection.connectRate.dropLast(2) : Substring(connection.connectRate)
        guard let connectRate = Double(rate) else {
            throw ValidationError(
                "--connect-rate expects a number of connections per second, got \(connection.connectRate)"
            )
        }
        configuration.connectRate = connectRate
        configuration.connectTimeout = try seconds(connection.connectTimeout, "--connect-timeout")
        configuration.clientIDPrefix =
            connection.clientIDPrefix ?? "bench-\(ProcessInfo.processInfo.processIdentifier)-"
        configuration.username = connection.username
        configuration.password = connection.password
        configuration.duration = try seconds(run.duration, "--duration")
        configuration.warmup = try seconds(run.warmup, "--warmup")
        configuration.drain = try seconds(run.drain, "--drain")
        return configuration
    }

    fileprivate static func apply(
        _ publish: PublishOptions,
        _ qos: QoSOption,
        to configuration: inout BenchConfiguration
    ) throws {
        configuration.topic = try TopicPattern(publish.topic)
        configuration.payloadSize = publish.payloadSize
        configuration.rate = publish.rate
        configuration.inflight = publish.inflight
        configuration.qos = try Bench.qos(qos.qos)
    }

    fileprivate static func qos(_ value: UInt8) throws -> QoS {
        guard let qos = QoS(rawValue: value) else { throw ValidationError("--qos must be 0, 1 or 2, got \(value)") }
        return qos
    }

    fileprivate static func seconds(_ value: Double, _ option: String) throws -> Duration {
        guard value.isFinite, value >= 0, value < 1e9 else {
            throw ValidationError("\(option) \(value) is out of range")
        }
        return .nanoseconds(Int64(value * 1e9))
    }

    /// Runs the scenario, prints the summary (unless `--json`) and the JSON line, and exits 1
    /// when a check failed.
    /// Progress goes to standard error, so standard output holds only the results.
    @Sendable
    fileprivate static func printProgress(_ progress: BenchProgress) {
        FileHandle.standardError.write(Data((progress.line + "\n").utf8))
    }

    /// Exit code when the run could not take place at all (e.g. a host that does not resolve).
    static let cannotRunExitCode: Int32 = 2

    /// Builds and validates the configuration (invalid options exit with 64), runs the scenario,
    /// prints the summary (unless `--json`) and the JSON line, and exits 1 when a check failed.
    fileprivate static func execute(json: Bool, _ build: () throws -> BenchConfiguration) async throws {
        let configuration: BenchConfiguration
        do {
            configuration = try build()
            try configuration.validate()
        } catch let error as BenchConfigurationError {
            throw ValidationError(error.description)
        }
        let runner = BenchRunner(configuration: configuration, eventLoops: UsableProcessors.count)
        let report: BenchReport
        do {
            report = try await json ? runner.run() : runner.run(progress: printProgress)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(cannotRunExitCode)
        }
        if !json { print(report.humanSummary) }
        print(report.jsonLine)
        if !report.passed { throw ExitCode(1) }
    }
}
