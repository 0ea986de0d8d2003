import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The admin HTTP API on its own port (default 18083): JSON over HTTP/1.1, GET only.
public final class AdminServer: Sendable {
    public let localAddress: SocketAddress
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
        self.localAddress = channel.localAddress!
    }

    /// Seconds a connection may stay silent before it is closed.
    static let idleTimeout = TimeAmount.seconds(30)

    public static func bind(
        host: String,
        port: Int,
        routes: [AdminRoute],
        group: any EventLoopGroup,
        logger: Logger
    ) async throws -> AdminServer {
        let router = AdminRouter(routes: routes)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(router: router))
                }
            }
            .bind(host: host, port: port)
            .get()
        let server = AdminServer(channel: channel)
        logger.info("listening admin http \(server.localAddress.ipAddress ?? host):\(server.localAddress.port ?? port)")
        return server
    }

    public var port: Int { localAddress.port ?? 0 }

    public func close() async {
        try? await channel.close()
    }
}
