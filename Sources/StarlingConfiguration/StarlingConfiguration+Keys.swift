import Logging

extension StarlingConfiguration {
    /// Stands for "no upper bound" in a duration range.
    static let unboundedDuration = Duration.seconds(Int64.max)

    /// Every key, in the order of `docs/configuration.md` and `starling.example.toml`.
    package static let keys: [ConfigurationKey] = [
        .string("node.name", \.node.name),
        .string("node.data_dir", \.node.dataDirectory),
        .integer("node.event_loops", \.node.eventLoops, in: 0...1024),
        .choice("log.level", \.log.level),
        .hostPort("listeners.tcp.bind", \.listeners.tcp.bind),
        .boolean("listeners.tcp.enabled", \.listeners.tcp.enabled),
        .duration("listeners.tcp.park_after", \.listeners.tcp.parkAfter, in: .milliseconds(10)...(.seconds(3600))),
        // A packet is at least a 2-byte fixed header, and at most a 5-byte fixed header plus the
        // largest remaining length a variable byte integer can carry (268,435,455).
        .size("mqtt.max_packet_size", \.mqtt.maxPacketSize, in: 2...268_435_460),
        // Receive Maximum is a two byte integer, and 0 is a protocol error (MQTT 5.0 §3.2.2.3.3).
        .integer("mqtt.receive_maximum", \.mqtt.receiveMaximum, in: 1...65535),
        .integer("mqtt.max_inflight", \.mqtt.maxInflight, in: 1...65535),
        // Server Keep Alive is a two byte integer of seconds (MQTT 5.0 §3.2.2.3.14).
        .duration("mqtt.max_keep_alive", \.mqtt.maxKeepAlive, in: .seconds(1)...(.seconds(65535)), wholeSeconds: true),
        .integer("mqtt.topic_alias_maximum", \.mqtt.topicAliasMaximum, in: 0...65535),
        // Session Expiry Interval is a four byte integer of seconds; 0xFFFFFFFF means "never" (§3.1.2.11.2).
        .duration(
            "mqtt.max_session_expiry",
            \.mqtt.maxSessionExpiry,
            in: .zero...(.seconds(4_294_967_295)),
            wholeSeconds: true
        ),
        .integer("mqtt.max_queued_messages", \.mqtt.maxQueuedMessages, in: 1...Int.max),
        .choice("mqtt.queue_full_policy", \.mqtt.queueFullPolicy),
        .integer("mqtt.max_qos", \.mqtt.maxQoS, in: 0...2),
        .boolean("mqtt.retain_available", \.mqtt.retainAvailable),
        .boolean("mqtt.wildcard_subscriptions", \.mqtt.wildcardSubscriptions),
        .boolean("mqtt.shared_subscriptions", \.mqtt.sharedSubscriptions),
        .boolean("mqtt.subscription_identifiers", \.mqtt.subscriptionIdentifiers),
        .integer("mqtt.max_topic_levels", \.mqtt.maxTopicLevels, in: 1...65535),
        // [MQTT-3.1.3-5] The Server MUST allow client identifiers of 1 to 23 UTF-8 encoded bytes.
        .integer("mqtt.max_client_id_length", \.mqtt.maxClientIDLength, in: 23...65535),
        .choice("mqtt.shared_subscription_strategy", \.mqtt.sharedSubscriptionStrategy),
        .duration("mqtt.connect_timeout", \.mqtt.connectTimeout, in: .milliseconds(1)...unboundedDuration),
        .integer("mqtt.max_retained_messages", \.mqtt.maxRetainedMessages, in: 0...Int.max),
        .boolean("cluster.enabled", \.cluster.enabled),
        .string("cluster.name", \.cluster.name),
        .hostPort("cluster.listen", \.cluster.listen),
        .optionalHostPort("cluster.advertise", \.cluster.advertise),
        .hostPortList("cluster.seeds", \.cluster.seeds),
        .string("cluster.secret", \.cluster.secret, allowingEmpty: true),
        .string("cluster.discovery_dns", \.cluster.discoveryDNS, allowingEmpty: true),
        .duration("cluster.discovery_interval", \.cluster.discoveryInterval, in: .seconds(1)...unboundedDuration),
        .integer("cluster.replay_buffer_size", \.cluster.replayBufferSize, in: 0...10_000_000),
        .duration("cluster.replay_buffer_age", \.cluster.replayBufferAge, in: .zero...(.seconds(3600))),
        .duration(
            "cluster.retained_tombstone_ttl",
            \.cluster.retainedTombstoneTTL,
            in: .seconds(1)...unboundedDuration
        ),
        .boolean("admin.enabled", \.admin.enabled),
        .hostPort("admin.listen", \.admin.listen),
    ]

    static let keysByPath: [[String]: ConfigurationKey] = Dictionary(
        uniqueKeysWithValues: keys.map { ($0.path, $0) }
    )

    static let keysByName: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.name, $0) })

    static let keysByEnvironmentVariable: [String: ConfigurationKey] = Dictionary(
        uniqueKeysWithValues: keys.map { ($0.environmentVariable, $0) }
    )

    /// The tables that hold keys: `node`, `log`, `listeners`, `listeners.tcp`, `mqtt`.
    static let sections: Set<[String]> = Set(
        keys.flatMap { key in (1..<key.path.count).map { Array(key.path[..<$0]) } }
    )

    /// The known key `key` was probably meant to be, for "did you mean …?".
    package static func suggestion(for key: String) -> String? {
        KeySuggestion.closest(to: key, among: keys.map(\.name))
    }

    /// Every key with its value as an environment variable would give it, in reference order: for logging
    /// the configuration in effect.
    public var effectiveSettings: [(key: String, value: String)] {
        Self.keys.map { ($0.name, $0.render(self)) }
    }
}
