import NIOCore

/// Sizes the buffer a connection reads into: 128 bytes at first, doubled after a read that
/// fills it (up to 64 KiB), halved after two reads in a row that use at most half of it (down
/// to 64 bytes).
///
/// The channel keeps its read buffer between reads, so the first size is what every idle
/// connection pays: NIO's `AdaptiveRecvByteBufferAllocator` starts at 2 KiB, and at 41 bytes
/// it is also too large to be stored inline in the channel's `any RecvByteBufferAllocator`,
/// which then allocates a box for it per connection. This fits in the inline space.
struct ReadBufferSizer: RecvByteBufferAllocator {
    static let minimum: UInt32 = 64
    static let initial: UInt32 = 128
    static let maximum: UInt32 = 65_536

    private(set) var size = Self.initial
    /// The last read used at most half the buffer; one more such read halves it.
    private var shrinkNext = false

    func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(capacity: Int(size))
    }

    func nextBufferSize() -> Int? {
        Int(size)
    }

    /// Returns whether the next buffer is larger.
    mutating func record(actualReadBytes: Int) -> Bool {
        if actualReadBytes >= Int(size), size < Self.maximum {
            size *= 2
            shrinkNext = false
            return true
        }
        if actualReadBytes <= Int(size / 2), size > Self.minimum {
            if shrinkNext { size /= 2 }
            shrinkNext.toggle()
        } else {
            shrinkNext = false
        }
        return false
    }
}
