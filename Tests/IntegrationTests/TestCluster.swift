import Broker
import Cluster
import Logging
import MQTTCodec
import Membership
import NIOCore
import NIOPosix
import StarlingServer
import StarlingTestKit
import Testing

/// Starts `count` clustered nodes in this process on loopback, joined through the first, with gossip a few
/// times faster than the defaults (not more: other tests share the CPU, and a starved node must not be
/// declared dead); waits until every pair is linked with routes exchanged.
func withCluster(
    _ count: Int = 3,
    strategy: SharedSubscriptionStrategy = .roundRobin,
    settings: BrokerSettings = BrokerSettings(),
    retainedTombstoneTTL: Duration = .seconds(86_400),
    _ body: ([TestContext]) async throws -> Void
) async throws {
    let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var nodes: [StarlingNode] = []
    func stopAll() async {
        for node in nodes { await node.shutdown() }
        try? await clientGroup.shutdownGracefully()
    }
    do {
        for index in 0..<count {
            var options = StarlingNode.Options()
            options.sharedSubscriptionStrategy = strategy
            options.settings = settings
            nodes.append(
                try await startClusterNode(
                    index: index,
                    seed: nodes.first,
                    options: options,
                    retainedTombstoneTTL: retainedTombstoneTTL
                )
            )
        }
        try await waitUntilLinked(nodes)
        let contexts = nodes.map { TestContext(node: $0, group: clientGroup) }
        try await body(contexts)
        for context in contexts { await context.closeAll() }
    } catch {
        await stopAll()
        throw error
    }
    await stopAll()
}

/// Starts clustered node `node-<index>` on loopback ports, joining through `seed` (none for the first), with
/// gossip a few times faster than the defaults.
func startClusterNode(
    index: Int,
    seed: StarlingNode?,
    options: StarlingNode.Options = StarlingNode.Options(),
    retainedTombstoneTTL: Duration = .seconds(86_400)
) async throws -> StarlingNode {
    var logger = Logger(label: "test-cluster")
    logger.logLevel = .warning
    var options = options
    options.tcpHost = "127.0.0.1"
    options.tcpPort = 0
    options.eventLoopCount = 2
    var gossip = GossipSettings(
        nodeName: "node-\(index)",
        clusterName: "test",
        listenHost: "127.0.0.1",
        listenPort: 0,
        seeds: seed.flatMap { $0.gossip.map { [$0.identity.address] } } ?? [],
        secret: "s3cret"
    )
    gossip.membership.protocolPeriod = .milliseconds(300)
    gossip.membership.probeTimeout = .milliseconds(200)
    gossip.membership.joinRetryInterval = .milliseconds(200)
    gossip.membership.reconnectInterval = .seconds(1)
    gossip.retainedTombstoneTTL = retainedTombstoneTTL
    options.cluster = gossip
    return try await StarlingNode.start(options: options, logger: logger)
}

/// Starts one more node, `node-<index>`, that joins the running `cluster` through its first node; waits until
/// it is linked with every node, runs `body` with it, then shuts it down.
func withJoiningNode(
    index: Int,
    joining cluster: [TestContext],
    _ body: (TestContext) async throws -> Void
) async throws {
    let node = try await startClusterNode(index: index, seed: cluster[0].node)
    let context = TestContext(node: node, group: cluster[0].group)
    do {
        try await waitUntilLinked(cluster.map(\.node) + [node])
        try await body(context)
    } catch {
        await context.closeAll()
        await node.shutdown()
        throw error
    }
    await context.closeAll()
    await node.shutdown()
}

/// Waits until every node has a link, with routes exchanged, to every other.
func waitUntilLinked(_ nodes: [StarlingNode], within limit: Duration = .seconds(15)) async throws {
    let deadline = ContinuousClock.now + limit
    for node in nodes {
        for other in nodes where other !== node {
            let name = other.gossip!.identity.name
            while !(await node.router!.hasLink(to: name)) {
                guard ContinuousClock.now < deadline else {
                    Issue.record("\(node.gossip!.identity.name) has no link to \(name) after \(limit)")
                    throw TestClientError.timedOut
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}

/// Waits until `condition` holds, polling; fails the test after `limit`.
func eventually(
    within limit: Duration = .seconds(10),
    _ description: String,
    _ condition: () async -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while !(await condition()) {
        guard ContinuousClock.now < deadline else {
            Issue.record("not within \(limit): \(description)")
            throw TestClientError.timedOut
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

extension MQTTTestClient {
    /// Receives `count` PUBLISH packets, acknowledging each as its QoS requires (PUBACK, or PUBREC then
    /// PUBCOMP on PUBREL), and returns them in arrival order.
    func receivePublishes(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [MQTTPacket.Publish] {
        var publishes: [MQTTPacket.Publish] = []
        while publishes.count < count {
            let packet = try await next(timeout: timeout)
            switch packet {
            case .publish(let publish):
                publishes.append(publish)
                switch publish.qos {
                case .atMostOnce: break
                case .atLeastOnce: try await send(.pubAck(.init(packetID: publish.packetID!)))
                case .exactlyOnce: try await send(.pubRec(.init(packetID: publish.packetID!)))
                }
            case .pubRel(let pubRel):
                try await send(.pubComp(.init(packetID: pubRel.packetID)))
            default:
                Issue.recordUnexpected(packet)
                throw TestClientError.unexpectedPacket
            }
        }
        // A QoS 2 flow ends with PUBREL → PUBCOMP: finish the ones still open.
        while case .pubRel(let pubRel)? = try? await next(timeout: .milliseconds(100)) {
            try await send(.pubComp(.init(packetID: pubRel.packetID)))
        }
        return publishes
    }

    /// Publishes `count` QoS 1 messages `prefix-0…` to `topic(index)`, keeping up to `window` unacknowledged.
    func publishPipelined(
        count: Int,
        prefix: String,
        window: Int = 200,
        retain: Bool = false,
        topic: (Int) -> String
    ) async throws {
        var outstanding = 0
        for index in 0..<count {
            try await publish(
                topic(index),
                "\(prefix)-\(index)",
                qos: .atLeastOnce,
                retain: retain,
                packetID: UInt16(index % 60_000 + 1)
            )
            outstanding += 1
            if outstanding == window {
                for _ in 0..<outstanding {
                    guard case .pubAck = try await next() else { throw TestClientError.unexpectedPacket }
                }
                outstanding = 0
            }
        }
        for _ in 0..<outstanding {
            guard case .pubAck = try await next() else { throw TestClientError.unexpectedPacket }
        }
    }

    /// Reads publishes, acknowledging QoS 1, counting each in `counter`, until the counter reaches `target`
    /// (messages of every collecting client together) or `deadline`; returns their payloads.
    func collectAcknowledging(until deadline: ContinuousClock.Instant, counter: ReceivedCount, target: Int)
        async throws -> [String]
    {
        var payloads: [String] = []
        while ContinuousClock.now < deadline, counter.value < target {
            guard let packet = try? await next(timeout: .milliseconds(50)) else { continue }
            guard case .publish(let publish) = packet else { continue }
            if let packetID = publish.packetID { try await send(.pubAck(.init(packetID: packetID))) }
            payloads.append(String(buffer: publish.payload))
            counter.add(1)
        }
        return payloads
    }

    /// Publishes `count` messages `prefix-0…`, at `qos`, completing each QoS 1/2 flow before the next.
    func publishSequence(_ topic: String, prefix: String, count: Int, qos: QoS, retain: Bool = false) async throws {
        for index in 0..<count {
            let packetID = UInt16(index % 60_000 + 1)
            try await publish(topic, "\(prefix)-\(index)", qos: qos, retain: retain, packetID: packetID)
            switch qos {
            case .atMostOnce:
                break
            case .atLeastOnce:
                guard case .pubAck = try await next() else { throw TestClientError.unexpectedPacket }
            case .exactlyOnce:
                guard case .pubRec = try await next() else { throw TestClientError.unexpectedPacket }
                try await send(.pubRel(.init(packetID: packetID)))
                guard case .pubComp = try await next() else { throw TestClientError.unexpectedPacket }
            }
        }
    }
}
