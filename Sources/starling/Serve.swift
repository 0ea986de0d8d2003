import ArgumentParser
import Foundation
import Logging
import StarlingConfiguration
import StarlingServer

/// `starling serve`: load the configuration, set up logging, run the node until it stops.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a broker node (the default command).",
        discussion: """
            Settings come from defaults, then the configuration file, then STARLING_* environment variables, \
            then these options, each overriding the one before. See docs/configuration.md.
            """
    )

    /// BSD sysexits EX_CONFIG: the configuration is wrong, so restarting unchanged will not help.
    static let configurationErrorExitCode: Int32 = 78

    @Option(help: ArgumentHelp("Address to accept MQTT over TCP on (listeners.tcp.bind).", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("Configuration file (default: ./starling.toml if present).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Name of this node (node.name).", valueName: "name"))
    var nodeName: String?

    @Option(help: ArgumentHelp("Directory for stored state (node.data_dir).", valueName: "dir"))
    var dataDir: String?

    @Option(
        help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (log.level).", valueName: "level")
    )
    var logLevel: String?

    @Option(help: ArgumentHelp("Cluster port, UDP gossip and TCP (cluster.listen).", valueName: "host:port"))
    var clusterListen: String?

    @Option(help: ArgumentHelp("Address peers should use for this node (cluster.advertise).", valueName: "host:port"))
    var advertise: String?

    @Option(
        name: .customLong("seed"),
        help: ArgumentHelp("A node to join through (cluster.seeds); repeatable.", valueName: "host:port")
    )
    var seeds: [String] = []

    @Option(help: ArgumentHelp("Secret shared by the cluster's nodes (cluster.secret).", valueName: "secret"))
    var clusterSecret: String?

    @Option(help: ArgumentHelp("DNS name listing the seeds (cluster.discovery_dns).", valueName: "name"))
    var discoveryDns: String?

    @Option(help: ArgumentHelp("Admin HTTP API address (admin.listen).", valueName: "host:port"))
    var adminListen: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Set any configuration key, e.g. --set mqtt.max_qos=1 (repeatable).", valueName: "key=value")
    )
    var settings: [String] = []

    func validate() throws {
        for setting in settings where !setting.contains("=") {
            throw ValidationError("--set expects KEY=VALUE, got \"\(setting)\"")
        }
    }

    /// Each option as the key it overrides. `--set` comes first so that a dedicated flag wins over it.
    private var overrides: [ConfigurationOverride] {
        let generic = settings.map { setting in
            let (key, value) = (setting.prefix { $0 != "=" }, setting.drop { $0 != "=" }.dropFirst())
            return ConfigurationOverride(key: String(key), value: String(value), flag: "--set \(key)")
        }
        let dedicated: [(key: String, value: String?, flag: String)] = [
            ("listeners.tcp.bind", listen, "--listen"),
            ("node.name", nodeName, "--node-name"),
            ("node.data_dir", dataDir, "--data-dir"),
            ("log.level", logLevel, "--log-level"),
            ("cluster.listen", clusterListen, "--cluster-listen"),
            ("cluster.advertise", advertise, "--advertise"),
            ("cluster.seeds", seeds.isEmpty ? nil : seeds.joined(separator: ","), "--seed"),
            ("cluster.secret", clusterSecret, "--cluster-secret"),
            ("cluster.discovery_dns", discoveryDns, "--discovery-dns"),
            ("admin.listen", adminListen, "--admin-listen"),
        ]
        return generic
            + dedicated.compactMap { key, value, flag in
                value.map { ConfigurationOverride(key: key, value: $0, flag: flag) }
            }
    }

    func run() async throws {
        let loaded: (configuration: StarlingConfiguration, warnings: [String])
        do {
            loaded = try StarlingConfiguration.load(
                file: config,
                environment: ProcessInfo.processInfo.environment,
                overrides: overrides
            )
        } catch {
            FileHandle.standardError.write(Data("starling: \(error)\n".utf8))
            throw ExitCode(Self.configurationErrorExitCode)
        }
        let configuration = loaded.configuration
        let level = configuration.log.level
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, logLevel: level) }
        let logger = Logger(label: "starling")
        for warning in loaded.warnings { logger.warning("\(warning)") }
        logger.info("starting", metadata: ["version": "\(starlingVersion)", "node": "\(configuration.node.name)"])
        logger.debug(
            "configuration",
            metadata: Logger.Metadata(uniqueKeysWithValues: configuration.effectiveSettings.map { ($0, "\($1)") })
        )
        do {
            try await StarlingServer.serve(configuration: configuration, logger: logger)
        } catch {
            logger.critical("stopped", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}
