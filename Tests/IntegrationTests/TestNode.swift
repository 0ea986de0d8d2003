import Broker
import Logging
import MQTTCodec
import NIOCore
import NIOPosix
import StarlingServer
import StarlingTestKit
import Testing

/// Starts a node on an ephemeral loopback port for the duration of `body`.
func withNode(
    settings: BrokerSettings = BrokerSettings(),
    eventLoops: Int = 2,
    parkAfter: TimeAmount? = nil,
    _ body: (TestContext) async throws -> Void
) async throws {
    var options = StarlingNode.Options()
    if let parkAfter { options.parkAfter = parkAfter }
    options.settings = settings
    options.tcpHost = "127.0.0.1"
    options.tcpPort = 0
    options.eventLoopCount = eventLoops
    var logger = Logger(label: "test-node")
    logger.logLevel = .warning
    let node = try await StarlingNode.start(options: options, logger: logger)
    let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let context = TestContext(node: node, group: clientGroup)
    do {
        try await body(context)
    } catch {
        await context.closeAll()
        await node.shutdown()
        try? await clientGroup.shutdownGracefully()
        throw error
    }
    await context.closeAll()
    await node.shutdown()
    try await clientGroup.shutdownGracefully()
}

final class TestContext: Sendable {
    let node: StarlingNode
    let group: MultiThreadedEventLoopGroup
    private let clients = ClientList()

    init(node: StarlingNode, group: MultiThreadedEventLoopGroup) {
        self.node = node
        self.group = group
    }

    var port: Int { node.tcpPort }

    /// Connects and expects a successful CONNACK.
    func connect(
        _ clientID: String,
        version: ProtocolVersion = .v5,
        cleanStart: Bool = true,
        keepAlive: UInt16 = 60,
        will: MQTTPacket.Will? = nil,
        properties: MQTTProperties = MQTTProperties()
    ) async throws -> (MQTTTestClient, MQTTPacket.ConnAck) {
        let (client, connAck) = try await MQTTTestClient.connect(
            port: port,
            MQTTPacket.Connect(
                protocolVersion: version,
                cleanStart: cleanStart,
                keepAlive: keepAlive,
                clientID: clientID,
                will: will,
                properties: properties
            ),
            group: group
        )
        clients.append(client)
        return (client, connAck)
    }

    func open(version: ProtocolVersion) async throws -> MQTTTestClient {
        let client = try await MQTTTestClient.open(port: port, version: version, group: group)
        clients.append(client)
        return client
    }

    func closeAll() async {
        for client in clients.all { await client.close() }
    }
}

final class ClientList: Sendable {
    private let storage = NIOLockedValueBoxWrapper()
    func append(_ client: MQTTTestClient) { storage.append(client) }
    var all: [MQTTTestClient] { storage.all }
}

extension MQTTTestClient {
    /// Subscribes and returns the SUBACK reason codes.
    @discardableResult
    func subscribe(
        _ filter: String,
        qos: QoS = .atMostOnce,
        packetID: UInt16 = 1,
        options: ((inout MQTTPacket.SubscriptionOptions) -> Void)? = nil,
        properties: MQTTProperties = MQTTProperties()
    ) async throws -> [ReasonCode] {
        var subscriptionOptions = MQTTPacket.SubscriptionOptions(qos: qos)
        options?(&subscriptionOptions)
        try await send(
            .subscribe(
                MQTTPacket.Subscribe(
                    packetID: packetID,
                    subscriptions: [MQTTPacket.Subscription(topicFilter: filter, options: subscriptionOptions)],
                    properties: properties
                )
            )
        )
        guard case .subAck(let subAck) = try await next(), subAck.packetID == packetID else {
            throw TestClientError.unexpectedPacket
        }
        return subAck.reasonCodes
    }

    /// Waits for the next PUBLISH, skipping nothing: any other packet is an error.
    func nextPublish(timeout: Duration = .seconds(10)) async throws -> MQTTPacket.Publish {
        let packet = try await next(timeout: timeout)
        guard case .publish(let publish) = packet else {
            Issue.recordUnexpected(packet)
            throw TestClientError.unexpectedPacket
        }
        return publish
    }

    func publish(
        _ topic: String,
        _ payload: String,
        qos: QoS = .atMostOnce,
        retain: Bool = false,
        packetID: UInt16? = nil,
        properties: MQTTProperties = MQTTProperties()
    ) async throws {
        try await send(
            .publish(
                MQTTPacket.Publish(
                    topic: topic,
                    payload: ByteBuffer(string: payload),
                    qos: qos,
                    retain: retain,
                    packetID: qos == .atMostOnce ? nil : (packetID ?? 1),
                    properties: properties
                )
            )
        )
    }
}
