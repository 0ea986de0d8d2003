import NIOCore

/// The accepting side of a push-pull: reads one frame, hands it to the service, writes the answer and closes.
final class PushPullServerHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundOut = ByteBuffer

    private let answer: @Sendable ([UInt8], SocketAddress?) -> EventLoopFuture<[UInt8]?>
    private var answered = false

    init(answer: @escaping @Sendable ([UInt8], SocketAddress?) -> EventLoopFuture<[UInt8]?>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        let channel = context.channel
        answer(unwrapInboundIn(data), channel.remoteAddress).whenComplete { result in
            guard case .success(let reply?) = result else {
                channel.close(promise: nil)
                return
            }
            channel.writeAndFlush(PushPullFrameDecoder.frame(reply, allocator: channel.allocator))
                .whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The initiating side: the answer frame completes the promise; a close before it fails it.
final class PushPullClientHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    private let promise: EventLoopPromise<[UInt8]>

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        promise.succeed(unwrapInboundIn(data))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}

/// Gossip datagrams in: hands each to the service with its source address.
final class GossipDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let receive: @Sendable ([UInt8], SocketAddress) -> Void

    init(receive: @escaping @Sendable ([UInt8], SocketAddress) -> Void) {
        self.receive = receive
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        receive(Array(envelope.data.readableBytesView), envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like surface here for UDP: a dead peer, which SWIM handles.
    }
}
