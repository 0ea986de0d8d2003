// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "starling",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "starling", targets: ["starling"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", exact: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
    ],
    targets: [
        // Pure: packets of MQTT 3.1/3.1.1/5.0 on ByteBuffer. No I/O, no broker state.
        .target(
            name: "MQTTCodec",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // Pure: topic validation, the subscription trie, shared subscriptions, retained index.
        .target(name: "Topics", swiftSettings: strictSettings),
        // Pure: SWIM with the Lifeguard refinements; takes messages, ticks, time and randomness, returns directives.
        .target(name: "Membership", swiftSettings: strictSettings),
        // Pure: the inter-node frame codec (peer links: handshake, routes, forwards). No sockets.
        .target(
            name: "ClusterProtocol",
            dependencies: ["MQTTCodec", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // The cluster's I/O shell: gossip over UDP, push-pull over TCP, discovery.
        .target(
            name: "Cluster",
            dependencies: [
                "Membership", "ClusterProtocol", "Broker", "MQTTCodec", "Topics",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Sessions, routing, retained store, will messages, limits. Event-loop confined, no sockets.
        .target(
            name: "Broker",
            dependencies: [
                "MQTTCodec", "Topics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // epoll and eventfd for the parking lot of quiet connections (Linux headers only).
        .target(name: "CSocketPoll"),
        // Listeners, the parking lot of quiet connections, and channel pipelines.
        .target(
            name: "Transport",
            dependencies: [
                "MQTTCodec", "Broker", "CSocketPoll",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Configuration: TOML file, STARLING_* environment, command-line overrides; errors name file, line and key.
        .target(
            name: "StarlingConfiguration",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // The HTTP admin API (JSON over HTTP/1.1) and its client for `starling ctl`.
        .target(
            name: "Admin",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Wiring and service lifecycle.
        .target(
            name: "StarlingServer",
            dependencies: [
                "Broker", "Transport", "StarlingConfiguration", "Admin", "Cluster", "Membership",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The load generator behind `starling bench`: many MQTT clients per process on NIO.
        .target(
            name: "StarlingBench",
            dependencies: [
                "MQTTCodec",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "starling",
            dependencies: [
                "StarlingServer", "StarlingConfiguration", "StarlingBench", "MQTTCodec", "Admin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Shared fixtures and helpers for the test targets.
        .target(
            name: "StarlingTestKit",
            dependencies: [
                "MQTTCodec",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MQTTCodecTests",
            dependencies: [
                "MQTTCodec", "StarlingTestKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StarlingConfigurationTests",
            dependencies: ["StarlingConfiguration"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StarlingBenchTests",
            dependencies: [
                "StarlingBench", "MQTTCodec", "StarlingTestKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "MembershipTests", dependencies: ["Membership"], swiftSettings: strictSettings),
        .testTarget(name: "TopicsTests", dependencies: ["Topics", "StarlingTestKit"], swiftSettings: strictSettings),
        .testTarget(
            name: "BrokerTests",
            dependencies: [
                "Broker", "MQTTCodec", "Topics", "StarlingTestKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AdminTests",
            dependencies: [
                "Admin",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ClusterProtocolTests",
            dependencies: ["ClusterProtocol", "MQTTCodec", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ClusterTests",
            dependencies: [
                "Cluster", "Membership", "ClusterProtocol", "MQTTCodec", "StarlingTestKit", "Broker", "Topics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", "Broker", "MQTTCodec",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "StarlingServer", "Transport", "Broker", "MQTTCodec", "StarlingTestKit", "Cluster", "Membership",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
