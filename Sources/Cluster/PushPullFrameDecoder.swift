import NIOCore

/// One push-pull frame on TCP: a 4-byte big-endian length, then that many bytes (sealed payload).
/// The length is checked against the cap before a byte of the body is buffered.
struct PushPullFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    /// Large enough for a 10,000-member table with long names; anything larger is a broken or hostile peer.
    static let maximumFrameLength = 8 * 1024 * 1024

    struct FrameTooLarge: Error, CustomStringConvertible {
        let length: Int
        var description: String { "push-pull frame of \(length) bytes exceeds \(maximumFrameLength)" }
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map(Int.init) else {
            return .needMoreData
        }
        guard length <= Self.maximumFrameLength else { throw FrameTooLarge(length: length) }
        guard buffer.readableBytes >= 4 + length else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readBytes(length: length)!))
        return .continue
    }

    static func frame(_ bytes: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 4 + bytes.count)
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }
}
