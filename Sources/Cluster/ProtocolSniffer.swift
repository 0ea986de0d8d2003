import ClusterProtocol
import NIOCore

/// First handler on an accepted cluster TCP connection: the first four bytes say whether it is a peer link
/// (`STRL`) or a gossip push-pull (a length), and the sniffer sets up the pipeline for that, then leaves.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let setUpPeerLink: @Sendable (any Channel) throws -> Void
    private let setUpPushPull: @Sendable (any Channel) throws -> Void
    private var buffered: ByteBuffer?

    init(
        peerLink: @escaping @Sendable (any Channel) throws -> Void,
        pushPull: @escaping @Sendable (any Channel) throws -> Void
    ) {
        self.setUpPeerLink = peerLink
        self.setUpPushPull = pushPull
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffered == nil {
            buffered = incoming
        } else {
            buffered!.writeBuffer(&incoming)
        }
        guard var bytes = buffered, bytes.readableBytes >= PeerFrameCodec.magic.count else { return }
        buffered = nil
        do {
            if bytes.readableBytesView.prefix(PeerFrameCodec.magic.count).elementsEqual(PeerFrameCodec.magic) {
                bytes.moveReaderIndex(forwardBy: PeerFrameCodec.magic.count)
                try setUpPeerLink(context.channel)
            } else {
                try setUpPushPull(context.channel)
            }
        } catch {
            context.close(promise: nil)
            return
        }
        // The new handlers sit after this one: hand them what came so far, then step aside.
        if bytes.readableBytes > 0 { context.fireChannelRead(NIOAny(bytes)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
