import Foundation
import Logging
import StarlingConfiguration
import Testing

@Suite struct ConfigurationSourcesTests {
    @Test func defaults_giveWorkingNode_whenNothingIsConfigured() throws {
        let (configuration, warnings) = try StarlingConfiguration.resolve(file: nil, environment: [:])
        #expect(configuration == StarlingConfiguration())
        #expect(warnings.isEmpty)
        #expect(configuration.node.name == ProcessInfo.processInfo.hostName)
        #expect(configuration.node.dataDirectory == "./data")
        #expect(configuration.listeners.tcp.bind == HostPort(host: "0.0.0.0", port: 1883))
        #expect(configuration.listeners.tcp.enabled)
        #expect(configuration.log.level == .info)
        #expect(configuration.mqtt.maxPacketSize == 1_048_576)
        #expect(configuration.mqtt.maxSessionExpiry == .seconds(86_400))
        #expect(configuration.mqtt.connectTimeout == .seconds(10))
    }

    @Test func precedence_isDefaultsFileEnvironmentFlags_whenAllSetOneKey() throws {
        let file = "[mqtt]\nmax_qos = 0"
        let environment = ["STARLING_MQTT_MAX_QOS": "1"]
        let flag = [ConfigurationOverride(key: "mqtt.max_qos", value: "2", flag: "--set mqtt.max_qos")]
        #expect(try resolve(nil).mqtt.maxQoS == 2)
        #expect(try resolve(file).mqtt.maxQoS == 0)
        #expect(try resolve(file, environment: environment).mqtt.maxQoS == 1)
        #expect(try resolve(file, environment: environment, overrides: flag).mqtt.maxQoS == 2)
        #expect(
            try resolve(nil, overrides: [ConfigurationOverride(key: "mqtt.max_qos", value: "0", flag: "-")]).mqtt.maxQoS
                == 0
        )
    }

    @Test func sources_combine_whenEachSetsDifferentKeys() throws {
        let configuration = try resolve(
            "[node]\nname = \"from-file\"\n[mqtt]\nmax_inflight = 7",
            environment: ["STARLING_MQTT_MAX_INFLIGHT": "8", "STARLING_LOG_LEVEL": "error"],
            overrides: [ConfigurationOverride(key: "listeners.tcp.bind", value: "127.0.0.1:0", flag: "--listen")]
        )
        #expect(configuration.node.name == "from-file")
        #expect(configuration.mqtt.maxInflight == 8)
        #expect(configuration.log.level == .error)
        #expect(configuration.listeners.tcp.bind == HostPort(host: "127.0.0.1", port: 0))
        #expect(configuration.mqtt.maxQoS == testDefaults.mqtt.maxQoS)
    }

    @Test func overrides_applyInOrder_whenOneKeyGivenTwice() throws {
        let configuration = try resolve(
            nil,
            overrides: [
                ConfigurationOverride(key: "node.name", value: "first", flag: "--set node.name"),
                ConfigurationOverride(key: "node.name", value: "second", flag: "--node-name"),
            ]
        )
        #expect(configuration.node.name == "second")
    }

    @Test func environment_ignoresOtherVariables_whenNotStarlingPrefixed() throws {
        let (configuration, warnings) = try StarlingConfiguration.resolve(
            file: nil,
            environment: ["PATH": "/bin", "MQTT_MAX_QOS": "9", "starling_mqtt_max_qos": "9"],
            defaults: testDefaults
        )
        #expect(configuration == testDefaults)
        #expect(warnings.isEmpty)
    }

    @Test func environment_warnsAndContinues_whenStarlingVariableIsUnknown() throws {
        let (configuration, warnings) = try StarlingConfiguration.resolve(
            file: nil,
            environment: [
                "STARLING_FUZZ_ITERATIONS": "1000", "STARLING_MQTT_MAX_PAKCET_SIZE": "5", "STARLING_MQTT_MAX_QOS": "1",
            ],
            defaults: testDefaults
        )
        #expect(configuration.mqtt.maxQoS == 1)
        #expect(configuration.mqtt.maxPacketSize == testDefaults.mqtt.maxPacketSize)
        #expect(
            warnings == [
                "environment STARLING_FUZZ_ITERATIONS: unknown setting, ignored",
                "environment STARLING_MQTT_MAX_PAKCET_SIZE: unknown setting, ignored "
                    + "(did you mean STARLING_MQTT_MAX_PACKET_SIZE?)",
            ]
        )
    }

    @Test func environment_reportsFirstBadVariableByName_whenSeveralAreBad() {
        let message = configurationErrorMessage { () throws(ConfigurationError) in
            _ = try resolve(nil, environment: ["STARLING_MQTT_MAX_QOS": "7", "STARLING_LOG_LEVEL": "loud"])
        }
        #expect(message?.hasPrefix("environment STARLING_LOG_LEVEL: ") == true)
    }

    @Test func dottedKeys_reachSettings_whenWrittenInParentTable() throws {
        let configuration = try resolve("[listeners]\ntcp.bind = \"localhost:1884\"\ntcp.enabled = false")
        #expect(configuration.listeners.tcp.bind == HostPort(host: "localhost", port: 1884))
        #expect(!configuration.listeners.tcp.enabled)
    }

    // MARK: Files

    /// A scratch directory named after the test and this process, removed when `body` returns.
    private func withScratchDirectory(_ name: String, _ body: (String) throws -> Void) throws {
        let directory = NSTemporaryDirectory() + "starling-config-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    @Test func load_readsGivenFile_whenItExists() throws {
        try withScratchDirectory("given") { directory in
            let path = directory + "/custom.toml"
            try Data("[mqtt]\nmax_qos = 1\n".utf8).write(to: URL(fileURLWithPath: path))
            let (configuration, _) = try StarlingConfiguration.load(file: path, environment: [:])
            #expect(configuration.mqtt.maxQoS == 1)
        }
    }

    @Test func load_readsDefaultFile_whenNoFileGivenAndDefaultExists() throws {
        try withScratchDirectory("default") { directory in
            let path = directory + "/starling.toml"
            try Data("[log]\nlevel = \"trace\"\n".utf8).write(to: URL(fileURLWithPath: path))
            let (configuration, _) = try StarlingConfiguration.load(file: nil, environment: [:], defaultFile: path)
            #expect(configuration.log.level == .trace)
        }
    }

    @Test func load_usesDefaults_whenNoFileGivenAndDefaultMissing() throws {
        try withScratchDirectory("none") { directory in
            let (configuration, _) = try StarlingConfiguration.load(
                file: nil,
                environment: [:],
                defaultFile: directory + "/starling.toml"
            )
            #expect(configuration == StarlingConfiguration())
        }
    }

    @Test func load_fails_whenGivenFileIsMissing() throws {
        try withScratchDirectory("missing") { directory in
            let path = directory + "/missing.toml"
            let message = configurationErrorMessage { () throws(ConfigurationError) in
                _ = try StarlingConfiguration.load(file: path, environment: [:])
            }
            #expect(message == "configuration file \"\(path)\" does not exist")
        }
    }

    @Test func load_fails_whenGivenPathIsDirectory() throws {
        try withScratchDirectory("directory") { directory in
            let message = configurationErrorMessage { () throws(ConfigurationError) in
                _ = try StarlingConfiguration.load(file: directory, environment: [:])
            }
            #expect(message == "cannot read configuration file \"\(directory)\": it is a directory")
        }
    }

    @Test func load_namesLine_whenFileIsNotUTF8() throws {
        try withScratchDirectory("utf8") { directory in
            let path = directory + "/bad.toml"
            try Data([UInt8]("[node]\nname = \"".utf8) + [0xFF, 0xFE] + [UInt8]("\"\n".utf8))
                .write(to: URL(fileURLWithPath: path))
            let message = configurationErrorMessage { () throws(ConfigurationError) in
                _ = try StarlingConfiguration.load(file: path, environment: [:])
            }
            #expect(message == "\(path):2: the file is not valid UTF-8")
        }
    }

    @Test func errorMessage_namesFileAsGiven_whenPathHasDirectories() {
        let message = configurationErrorMessage { () throws(ConfigurationError) in
            _ = try StarlingConfiguration.resolve(file: ("/etc/starling/starling.toml", "x = 1"), environment: [:])
        }
        #expect(message == #"/etc/starling/starling.toml:1: unknown key "x""#)
    }
}
