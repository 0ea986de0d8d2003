import ClusterProtocol
import NIOCore

/// An established link to one peer. Confined to the cluster's event loop.
final class PeerLink {
    let peerName: String
    let peerBootID: UInt64
    let version: UInt8
    let channel: any Channel
    var counters = PeerLinkCounters()
    /// Bytes read from the peer, counted before decoding.
    let byteCounter: ByteCounter

    init(peerName: String, peerBootID: UInt64, version: UInt8, channel: any Channel, byteCounter: ByteCounter) {
        self.byteCounter = byteCounter
        self.peerName = peerName
        self.peerBootID = peerBootID
        self.version = version
        self.channel = channel
    }

    /// Encodes and writes `frame`; `flush` sends what has been written.
    func write(_ frame: PeerFrame) {
        var buffer = channel.allocator.buffer(capacity: 256)
        PeerFrameCodec.encode(frame, into: &buffer)
        counters.framesOut &+= 1
        counters.bytesOut &+= UInt64(buffer.readableBytes)
        channel.write(buffer, promise: nil)
    }

    func flush() {
        channel.flush()
    }
}

/// What a link carried, for the admin API.
public struct PeerLinkCounters: Sendable, Equatable {
    public var framesIn: UInt64 = 0
    public var framesOut: UInt64 = 0
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    public var forwardsIn: UInt64 = 0
    public var forwardsOut: UInt64 = 0

    public init() {}
}

/// Counts the bytes a link reads, before they are decoded.
final class ByteCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    var bytes: UInt64 = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes &+= UInt64(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}
