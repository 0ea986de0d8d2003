import NIOCore

/// The channel's side of a ``ClientConnection``: passes what the channel reads, and its close,
/// on to the connection, which does the rest. One handler per channel and nothing more keeps a
/// busy connection small; a quiet one has no channel at all (see ``ParkingLot``).
final class MQTTConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let connection: ClientConnection

    init(connection: ClientConnection) {
        self.connection = connection
    }

    func channelActive(context: ChannelHandlerContext) {
        connection.channelActive(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.received(bytes: unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection.flushAfterRead()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        connection.writabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.channelClosed(context.channel)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerShutdownEvent {
            connection.serverShuttingDown()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.channelError(error)
    }
}

/// Fired through a connection's pipeline when the server shuts down: 5.0 clients get
/// DISCONNECT 0x8B (Server shutting down).
public struct ServerShutdownEvent: Sendable {
    public init() {}
}
