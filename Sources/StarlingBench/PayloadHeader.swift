import NIOCore

/// The first bytes of every payload the bench publishes, little endian:
///
/// | offset | size | field |
/// |-------:|-----:|-------|
/// | 0 | 8 | send time, nanoseconds of the process's monotonic clock |
/// | 8 | 4 | publisher index |
/// | 12 | 8 | per-publisher sequence number, from 0 |
///
/// The rest of the payload, up to `--payload-size`, is zeros.
public struct PayloadHeader: Sendable, Hashable {
    public static let size = 20

    public var sentAtNanoseconds: UInt64
    public var publisherIndex: UInt32
    public var sequence: UInt64

    public init(sentAtNanoseconds: UInt64, publisherIndex: UInt32, sequence: UInt64) {
        self.sentAtNanoseconds = sentAtNanoseconds
        self.publisherIndex = publisherIndex
        self.sequence = sequence
    }

    /// Reads the header from the start of `payload` without moving its reader index; `nil` when it is too short.
    public init?(from payload: ByteBuffer) {
        guard payload.readableBytes >= Self.size,
            let sentAt = payload.getInteger(at: payload.readerIndex, endianness: .little, as: UInt64.self),
            let publisher = payload.getInteger(at: payload.readerIndex + 8, endianness: .little, as: UInt32.self),
            let sequence = payload.getInteger(at: payload.readerIndex + 12, endianness: .little, as: UInt64.self)
        else { return nil }
        self.init(sentAtNanoseconds: sentAt, publisherIndex: publisher, sequence: sequence)
    }

    /// Writes the header and `paddingTo - size` zero bytes.
    @inlinable
    public func write(into buffer: inout ByteBuffer, paddingTo payloadSize: Int) {
        precondition(payloadSize >= Self.size, "the payload must hold the \(Self.size)-byte header")
        buffer.writeInteger(sentAtNanoseconds, endianness: .little)
        buffer.writeInteger(publisherIndex, endianness: .little)
        buffer.writeInteger(sequence, endianness: .little)
        buffer.writeRepeatingByte(0, count: payloadSize - Self.size)
    }
}
