import MQTTCodec
import NIOCore

/// Cuts one connection's byte stream into packets with ``MQTTPacketDecoder``, holding bytes
/// only while a packet is incomplete.
///
/// It replaces a `ByteToMessageHandler` in the connection's pipeline. That handler keeps a
/// cumulation buffer and two queues for as long as the connection lives; most MQTT connections
/// are idle most of the time, and then this keeps nothing. The bytes of an incomplete packet
/// are copied out of the channel's read buffer, so that buffer stays free for the next read
/// instead of being pinned until the packet completes.
///
/// Use: ``append(_:)`` what the channel read, call ``next()`` until it returns nil, then
/// ``finishRead()``.
struct PacketReader {
    private var decoder: MQTTPacketDecoder
    /// Bytes not yet decoded: the last read while its packets are taken, then only the start
    /// of an incomplete packet; nil between packets.
    private var unread: ByteBuffer?
    /// Whether `unread` is the channel's read buffer rather than a copy of our own.
    private var isBorrowed = false

    init(maximumPacketSize: Int) {
        decoder = MQTTPacketDecoder(maximumPacketSize: maximumPacketSize)
    }

    /// Bytes held for an incomplete packet.
    var bufferedBytes: Int { unread?.readableBytes ?? 0 }

    mutating func append(_ bytes: ByteBuffer) {
        if unread == nil {
            unread = bytes
            isBorrowed = true
        } else {
            unread!.writeImmutableBuffer(bytes)
        }
    }

    /// The next complete packet, nil when more bytes are needed. Throws `MQTTCodecError` when
    /// the bytes are malformed or announce a packet that is too large; the reader is then of
    /// no further use.
    mutating func next() throws -> MQTTPacket? {
        guard unread != nil else { return nil }
        return try decoder.decode(buffer: &unread!)
    }

    /// Drops the bytes that were decoded, and copies an incomplete packet's start into a
    /// buffer of its own.
    mutating func finishRead(allocator: ByteBufferAllocator) {
        guard let rest = unread else { return }
        if rest.readableBytes == 0 {
            unread = nil
        } else if isBorrowed || rest.readerIndex > 0 {
            var copy = allocator.buffer(capacity: rest.readableBytes)
            copy.writeImmutableBuffer(rest)
            unread = copy
        }
        isBorrowed = false
    }
}
