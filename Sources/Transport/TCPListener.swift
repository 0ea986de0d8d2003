import Broker
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Accepts MQTT over plain TCP and keeps track of its connections so a shutdown can say
/// goodbye to each client.
public final class TCPListener: Sendable {
    public let localAddress: SocketAddress
    private let serverChannel: any Channel
    private let connections: ConnectionSet

    private init(serverChannel: any Channel, connections: ConnectionSet) {
        self.serverChannel = serverChannel
        self.localAddress = serverChannel.localAddress!
        self.connections = connections
    }

    /// Binds `host:port` (port 0 picks a free port) and serves `broker` on it.
    public static func bind(
        host: String,
        port: Int,
        group: any EventLoopGroup,
        broker: Broker,
        logger: Logger
    ) async throws -> TCPListener {
        let connections = ConnectionSet()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.recvAllocator, value: ReadBufferSizer())
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 256 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try MQTTPipeline.install(on: channel, broker: broker, logger: logger, connections: connections)
                }
            }
            .bind(host: host, port: port)
            .get()
        return TCPListener(serverChannel: channel, connections: connections)
    }

    /// Closes the listener and every connection at once, without a word to the clients.
    public func abort() async {
        try? await serverChannel.close()
        for channel in connections.all { try? await channel.close() }
    }

    /// Stops accepting new connections; the open ones stay.
    public func stopAccepting() async {
        try? await serverChannel.close()
    }

    /// How many client connections are open.
    public var connectionCount: Int { connections.count }

    /// Stops accepting, tells every client the server is shutting down (DISCONNECT 0x8B for
    /// 5.0 clients), and waits up to `gracePeriod` for the connections to close.
    public func shutdown(gracePeriod: TimeAmount = .seconds(5)) async {
        try? await serverChannel.close()
        let open = connections.all
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ServerShutdownEvent())
        }
        let deadline = NIODeadline.now() + gracePeriod
        for channel in open {
            let remaining = deadline - .now()
            if remaining > .zero {
                let closed = channel.closeFuture
                let timeout = channel.eventLoop.scheduleTask(in: remaining) { channel.close(promise: nil) }
                try? await closed.get()
                timeout.cancel()
            } else {
                try? await channel.close()
            }
        }
    }
}

/// The open child channels of a listener. Each connection's handler adds its channel and
/// removes it when the channel closes.
final class ConnectionSet: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: any Channel]())

    func insert(_ channel: any Channel) {
        channels.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
    }

    func remove(_ channel: any Channel) {
        _ = channels.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var all: [any Channel] { channels.withLockedValue { Array($0.values) } }
    var count: Int { channels.withLockedValue { $0.count } }
}
