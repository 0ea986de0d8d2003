import Logging
import StarlingConfiguration
import Testing

/// One row per key: a valid value other than the default and what it sets, and a rejected value
/// with the exact "expected …, got …" text.
struct KeyCase: Sendable, CustomTestStringConvertible {
    let key: String
    let valid: String
    let isSet: @Sendable (StarlingConfiguration) -> Bool
    let invalid: String
    let expectation: String

    var testDescription: String { key }

    static let all: [KeyCase] = [
        KeyCase(
            key: "node.name",
            valid: #""broker-7""#,
            isSet: { $0.node.name == "broker-7" },
            invalid: #""""#,
            expectation: #"expected a non-empty string, got """#
        ),
        KeyCase(
            key: "node.data_dir",
            valid: #""/var/lib/starling""#,
            isSet: { $0.node.dataDirectory == "/var/lib/starling" },
            invalid: "5",
            expectation: "expected a non-empty string, got 5"
        ),
        KeyCase(
            key: "node.event_loops",
            valid: "3",
            isSet: { $0.node.eventLoops == 3 },
            invalid: "1025",
            expectation: "expected an integer 0…1024, got 1025"
        ),
        KeyCase(
            key: "log.level",
            valid: #""debug""#,
            isSet: { $0.log.level == .debug },
            invalid: #""loud""#,
            expectation: #"expected one of trace, debug, info, notice, warning, error, critical, got "loud""#
        ),
        KeyCase(
            key: "listeners.tcp.bind",
            valid: #""[::1]:8883""#,
            isSet: { $0.listeners.tcp.bind == HostPort(host: "::1", port: 8883) },
            invalid: #""localhost:65536""#,
            expectation: #"expected HOST:PORT with a port 0…65535, got "localhost:65536""#
        ),
        KeyCase(
            key: "listeners.tcp.enabled",
            valid: "false",
            isSet: { !$0.listeners.tcp.enabled },
            invalid: #""no""#,
            expectation: #"expected true or false, got "no""#
        ),
        KeyCase(
            key: "listeners.tcp.park_after",
            valid: #""250ms""#,
            isSet: { $0.listeners.tcp.parkAfter == .milliseconds(250) },
            invalid: #""2h""#,
            expectation: #"expected a duration between 10ms and 1h, got "2h""#
        ),
        KeyCase(
            key: "mqtt.max_packet_size",
            valid: #""64KiB""#,
            isSet: { $0.mqtt.maxPacketSize == 65536 },
            invalid: "1",
            expectation: "expected a size between 2 and 268435460 bytes, got 1"
        ),
        KeyCase(
            key: "mqtt.receive_maximum",
            valid: "10",
            isSet: { $0.mqtt.receiveMaximum == 10 },
            invalid: "0",
            expectation: "expected an integer 1…65535, got 0"
        ),
        KeyCase(
            key: "mqtt.max_inflight",
            valid: "65535",
            isSet: { $0.mqtt.maxInflight == 65535 },
            invalid: "65536",
            expectation: "expected an integer 1…65535, got 65536"
        ),
        KeyCase(
            key: "mqtt.max_keep_alive",
            valid: #""5m""#,
            isSet: { $0.mqtt.maxKeepAlive == .seconds(300) },
            invalid: #""1500ms""#,
            expectation: #"expected a duration in whole seconds between 1s and 65535s, got "1500ms""#
        ),
        KeyCase(
            key: "mqtt.topic_alias_maximum",
            valid: "0",
            isSet: { $0.mqtt.topicAliasMaximum == 0 },
            invalid: "-1",
            expectation: "expected an integer 0…65535, got -1"
        ),
        KeyCase(
            key: "mqtt.max_session_expiry",
            valid: "3600",
            isSet: { $0.mqtt.maxSessionExpiry == .seconds(3600) },
            invalid: #""4294967296s""#,
            expectation: #"expected a duration in whole seconds between 0s and 4294967295s, got "4294967296s""#
        ),
        KeyCase(
            key: "mqtt.max_queued_messages",
            valid: "1",
            isSet: { $0.mqtt.maxQueuedMessages == 1 },
            invalid: "0",
            expectation: "expected an integer of at least 1, got 0"
        ),
        KeyCase(
            key: "mqtt.queue_full_policy",
            valid: #""drop_newest""#,
            isSet: { $0.mqtt.queueFullPolicy == .dropNewest },
            invalid: #""drop_all""#,
            expectation: #"expected one of drop_oldest, drop_newest, got "drop_all""#
        ),
        KeyCase(
            key: "mqtt.max_qos",
            valid: "1",
            isSet: { $0.mqtt.maxQoS == 1 },
            invalid: "3",
            expectation: "expected an integer 0…2, got 3"
        ),
        KeyCase(
            key: "mqtt.retain_available",
            valid: "false",
            isSet: { !$0.mqtt.retainAvailable },
            invalid: "1",
            expectation: "expected true or false, got 1"
        ),
        KeyCase(
            key: "mqtt.wildcard_subscriptions",
            valid: "false",
            isSet: { !$0.mqtt.wildcardSubscriptions },
            invalid: #""false""#,
            expectation: #"expected true or false, got "false""#
        ),
        KeyCase(
            key: "mqtt.shared_subscriptions",
            valid: "false",
            isSet: { !$0.mqtt.sharedSubscriptions },
            invalid: "[true]",
            expectation: "expected true or false, got [true]"
        ),
        KeyCase(
            key: "mqtt.subscription_identifiers",
            valid: "false",
            isSet: { !$0.mqtt.subscriptionIdentifiers },
            invalid: "0.5",
            expectation: "expected true or false, got 0.5"
        ),
        KeyCase(
            key: "mqtt.max_topic_levels",
            valid: "16",
            isSet: { $0.mqtt.maxTopicLevels == 16 },
            invalid: "0",
            expectation: "expected an integer 1…65535, got 0"
        ),
        KeyCase(
            key: "mqtt.max_client_id_length",
            valid: "23",
            isSet: { $0.mqtt.maxClientIDLength == 23 },
            invalid: "22",
            expectation: "expected an integer 23…65535, got 22"
        ),
        KeyCase(
            key: "mqtt.shared_subscription_strategy",
            valid: #""hash_clientid""#,
            isSet: { $0.mqtt.sharedSubscriptionStrategy == .hashClientID },
            invalid: #""fastest""#,
            expectation:
                #"expected one of random, round_robin, sticky, hash_clientid, hash_topic, local_first, got "fastest""#
        ),
        KeyCase(
            key: "mqtt.connect_timeout",
            valid: #""500ms""#,
            isSet: { $0.mqtt.connectTimeout == .milliseconds(500) },
            invalid: #""0ms""#,
            expectation: #"expected a duration of at least 1ms, got "0ms""#
        ),
        KeyCase(
            key: "mqtt.max_retained_messages",
            valid: "0",
            isSet: { $0.mqtt.maxRetainedMessages == 0 },
            invalid: "-5",
            expectation: "expected an integer of at least 0, got -5"
        ),
        KeyCase(
            key: "cluster.enabled",
            valid: "false",
            isSet: { !$0.cluster.enabled },
            invalid: "1",
            expectation: "expected true or false, got 1"
        ),
        KeyCase(
            key: "cluster.name",
            valid: #""fleet""#,
            isSet: { $0.cluster.name == "fleet" },
            invalid: #""""#,
            expectation: #"expected a non-empty string, got """#
        ),
        KeyCase(
            key: "cluster.listen",
            valid: #""127.0.0.1:7000""#,
            isSet: { $0.cluster.listen == HostPort(host: "127.0.0.1", port: 7000) },
            invalid: #""7946""#,
            expectation: #"expected HOST:PORT, got "7946""#
        ),
        KeyCase(
            key: "cluster.advertise",
            valid: #""10.1.2.3:7946""#,
            isSet: { $0.cluster.advertise == HostPort(host: "10.1.2.3", port: 7946) },
            invalid: #""10.1.2.3:0""#,
            expectation: #"expected HOST:PORT with a port 1…65535, got "10.1.2.3:0""#
        ),
        KeyCase(
            key: "cluster.seeds",
            valid: #""10.0.0.1:7946,seed.example:7000""#,
            isSet: {
                $0.cluster.seeds == [
                    HostPort(host: "10.0.0.1", port: 7946), HostPort(host: "seed.example", port: 7000),
                ]
            },
            invalid: #"["10.0.0.1"]"#,
            expectation: #"expected a list of HOST:PORT ("10.0.0.1" is not one), got ["10.0.0.1"]"#
        ),
        KeyCase(
            key: "cluster.secret",
            valid: #""s3cret""#,
            isSet: { $0.cluster.secret == "s3cret" },
            invalid: "42",
            expectation: "expected a string, got 42"
        ),
        KeyCase(
            key: "cluster.discovery_dns",
            valid: #""starling-headless.default.svc""#,
            isSet: { $0.cluster.discoveryDNS == "starling-headless.default.svc" },
            invalid: "true",
            expectation: "expected a string, got true"
        ),
        KeyCase(
            key: "cluster.discovery_interval",
            valid: #""5s""#,
            isSet: { $0.cluster.discoveryInterval == .seconds(5) },
            invalid: #""10ms""#,
            expectation: #"expected a duration of at least 1s, got "10ms""#
        ),
        KeyCase(
            key: "cluster.replay_buffer_size",
            valid: "500",
            isSet: { $0.cluster.replayBufferSize == 500 },
            invalid: "-1",
            expectation: "expected an integer 0…10000000, got -1"
        ),
        KeyCase(
            key: "cluster.replay_buffer_age",
            valid: #""2m""#,
            isSet: { $0.cluster.replayBufferAge == .seconds(120) },
            invalid: #""2h""#,
            expectation: #"expected a duration between 0s and 1h, got "2h""#
        ),
        KeyCase(
            key: "cluster.retained_tombstone_ttl",
            valid: #""7d""#,
            isSet: { $0.cluster.retainedTombstoneTTL == .seconds(7 * 86_400) },
            invalid: #""500ms""#,
            expectation: #"expected a duration of at least 1s, got "500ms""#
        ),
        KeyCase(
            key: "admin.enabled",
            valid: "false",
            isSet: { !$0.admin.enabled },
            invalid: #""off""#,
            expectation: #"expected true or false, got "off""#
        ),
        KeyCase(
            key: "admin.listen",
            valid: #""127.0.0.1:0""#,
            isSet: { $0.admin.listen == HostPort(host: "127.0.0.1", port: 0) },
            invalid: "18083",
            expectation: "expected HOST:PORT, got 18083"
        ),
    ]
}

@Suite struct ConfigurationKeyTests {
    @Test func keyCases_coverEveryKey() {
        #expect(KeyCase.all.map(\.key) == StarlingConfiguration.keys.map(\.name))
    }

    @Test(arguments: KeyCase.all)
    func key_setsValue_whenFileGivesValidValue(_ keyCase: KeyCase) throws {
        #expect(!keyCase.isSet(testDefaults), "the case's value must differ from the default")
        #expect(keyCase.isSet(try resolve("\(keyCase.key) = \(keyCase.valid)")))
    }

    @Test(arguments: KeyCase.all)
    func key_setsValue_whenEnvironmentGivesValidValue(_ keyCase: KeyCase) throws {
        let key = try #require(StarlingConfiguration.keys.first { $0.name == keyCase.key })
        // Environment values are written as in the file, without the quotes.
        let text = keyCase.valid.hasPrefix("\"") ? String(keyCase.valid.dropFirst().dropLast()) : keyCase.valid
        #expect(keyCase.isSet(try resolve(nil, environment: [key.environmentVariable: text])))
    }

    @Test(arguments: KeyCase.all)
    func key_reportsFileLineKeyAndExpectation_whenValueOutOfRange(_ keyCase: KeyCase) {
        let message = configurationErrorMessage { () throws(ConfigurationError) in
            _ = try resolve("# settings\n\(keyCase.key) = \(keyCase.invalid)")
        }
        #expect(message == "starling.toml:2: \(keyCase.key): \(keyCase.expectation)")
    }

    @Test func seeds_readFromTOMLArray_andRenderAsOne() throws {
        let configuration = try resolve(#"cluster.seeds = ["a.example:7946", "[::1]:7000"]"#)
        #expect(
            configuration.cluster.seeds == [HostPort(host: "a.example", port: 7946), HostPort(host: "::1", port: 7000)]
        )
        let key = try #require(StarlingConfiguration.keys.first { $0.name == "cluster.seeds" })
        #expect(key.renderTOML(configuration) == #"["a.example:7946", "[::1]:7000"]"#)
        #expect(key.render(configuration) == "a.example:7946,[::1]:7000")
    }

    @Test func environmentVariable_isPrefixedUpperCasedWithUnderscores() {
        let names = StarlingConfiguration.keys.map(\.environmentVariable)
        #expect(names.contains("STARLING_LISTENERS_TCP_BIND"))
        #expect(names.contains("STARLING_MQTT_MAX_PACKET_SIZE"))
        #expect(names.contains("STARLING_NODE_DATA_DIR"))
    }

    @Test(arguments: [
        ("mqtt.max_packet_size = 2", true), ("mqtt.max_packet_size = 268435460", true),
        ("mqtt.max_packet_size = 268435461", false), (#"mqtt.max_packet_size = "256MiB""#, true),
        (#"mqtt.max_packet_size = "257MiB""#, false), ("mqtt.max_session_expiry = 4294967295", true),
        ("mqtt.max_session_expiry = 0", true), ("mqtt.max_keep_alive = 65535", true),
        ("mqtt.max_keep_alive = 0", false), ("mqtt.max_qos = 0", true), ("mqtt.max_qos = -1", false),
        (#"listeners.tcp.bind = "0.0.0.0:0""#, true), (#"listeners.tcp.bind = "0.0.0.0:65535""#, true),
    ])
    func rangeBoundary_isEnforced_whenValueAtOrPastEdge(line: String, isAccepted: Bool) {
        let message = configurationErrorMessage { () throws(ConfigurationError) in _ = try resolve(line) }
        #expect((message == nil) == isAccepted, "\(line): \(message ?? "accepted")")
    }

    @Test func choice_ignoresCase_whenEnvironmentShouts() throws {
        let configuration = try resolve(nil, environment: ["STARLING_LOG_LEVEL": "WARNING"])
        #expect(configuration.log.level == .warning)
    }

    @Test func boolean_acceptsAnyCase_whenFromEnvironment() throws {
        let configuration = try resolve(nil, environment: ["STARLING_MQTT_RETAIN_AVAILABLE": "FALSE"])
        #expect(!configuration.mqtt.retainAvailable)
    }

    @Test func integer_acceptsUnderscores_whenFromEnvironment() throws {
        let configuration = try resolve(nil, environment: ["STARLING_MQTT_MAX_RETAINED_MESSAGES": "2_000_000"])
        #expect(configuration.mqtt.maxRetainedMessages == 2_000_000)
    }

    @Test func effectiveSettings_rebuildConfiguration_whenFedBackAsEnvironment() throws {
        var configuration = testDefaults
        configuration.mqtt.maxPacketSize = 300_000
        configuration.mqtt.connectTimeout = .milliseconds(1500)
        configuration.listeners.tcp.bind = HostPort(host: "::", port: 0)
        configuration.log.level = .trace
        configuration.mqtt.sharedSubscriptionStrategy = .localFirst
        let key = { (name: String) in "STARLING_" + name.uppercased().replacing(".", with: "_") }
        let environment = Dictionary(uniqueKeysWithValues: configuration.effectiveSettings.map { (key($0), $1) })
        #expect(try resolve(nil, environment: environment) == configuration)
    }
}
