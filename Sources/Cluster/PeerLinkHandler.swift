import ClusterProtocol
import Logging
import NIOCore

/// One peer link's channel handler: runs the handshake, then hands data frames to the router and writes
/// the frames the router sends. Pings when idle; closes a link that stays silent.
final class PeerLinkHandler: ChannelInboundHandler {
    typealias InboundIn = PeerFrame
    typealias OutboundOut = ByteBuffer

    private var handshake: PeerHandshake
    private let router: ClusterRouter
    /// The member this side dialed, or nil for an accepted connection.
    private let dialedPeer: String?
    private var dialed: Bool { dialedPeer != nil }
    private var link: PeerLink?
    private var handshakeTimeout: Scheduled<Void>?

    static let handshakeTimeLimit = TimeAmount.seconds(5)

    private let byteCounter: ByteCounter

    init(router: ClusterRouter, handshake: PeerHandshake, dialedPeer: String?, byteCounter: ByteCounter) {
        self.byteCounter = byteCounter
        self.router = router
        self.handshake = handshake
        self.dialedPeer = dialedPeer
    }

    func channelActive(context: ChannelHandlerContext) {
        if dialed {
            context.write(wrapOutboundOut(ByteBuffer(bytes: PeerFrameCodec.magic)), promise: nil)
        }
        write(handshake.hello, context: context)
        context.flush()
        let channel = context.channel
        let logger = router.logger
        handshakeTimeout = context.eventLoop.scheduleTask(in: Self.handshakeTimeLimit) {
            logger.warning(
                "peer link handshake timed out",
                metadata: ["remote": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"]
            )
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // An accepted connection is already active when the sniffer adds this handler.
        if !dialed, context.channel.isActive { channelActive(context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let link {
            link.counters.framesIn &+= 1
            router.received(frame, on: link)
            return
        }
        switch handshake.receive(frame) {
        case .send(let reply):
            write(reply, context: context)
            context.flush()
        case .established(let established):
            handshakeTimeout?.cancel()
            if let dialedPeer, dialedPeer != established.peerName {
                router.logger.warning(
                    "peer link refused",
                    metadata: ["reason": "dialed \(dialedPeer) but \(established.peerName) answered"]
                )
                context.close(promise: nil)
                return
            }
            let link = PeerLink(
                peerName: established.peerName,
                peerBootID: established.peerBootID,
                version: established.version,
                channel: context.channel,
                byteCounter: byteCounter
            )
            self.link = link
            router.linkEstablished(link)
        case .fail(let reason):
            router.logger.warning("peer link refused", metadata: ["reason": "\(reason)"])
            context.close(promise: nil)
        case .none:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch idle {
        case .write:
            if link != nil {
                write(.ping, context: context)
                context.flush()
            }
        case .read:
            router.logger.info("peer link silent, closing", metadata: ["peer": "\(link?.peerName ?? "?")"])
            context.close(promise: nil)
        case .all:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeTimeout?.cancel()
        if let link {
            router.linkClosed(link)
        } else if let dialedPeer {
            router.dialFailed(dialedPeer)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        router.logger.warning(
            "peer link closed on error",
            metadata: ["peer": "\(link?.peerName ?? "?")", "error": "\(error)"]
        )
        context.close(promise: nil)
    }

    private func write(_ frame: PeerFrame, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        PeerFrameCodec.encode(frame, into: &buffer)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }
}
