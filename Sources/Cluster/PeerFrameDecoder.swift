import ClusterProtocol
import NIOCore

/// Peer frames out of a TCP byte stream; a malformed frame is an error that closes the link.
struct PeerFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = PeerFrame

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try PeerFrameCodec.decode(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}

/// Peer frames into bytes.
struct PeerFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = PeerFrame

    func encode(data: PeerFrame, out: inout ByteBuffer) throws {
        PeerFrameCodec.encode(data, into: &out)
    }
}
