import NIOCore
import Testing

@testable import Transport

@Suite("ReadBufferSizer")
struct ReadBufferSizerTests {
    @Test("an idle connection's first buffer is 128 bytes")
    func firstBuffer_is128Bytes() {
        let sizer = ReadBufferSizer()
        #expect(sizer.nextBufferSize() == 128)
        #expect(sizer.buffer(allocator: ByteBufferAllocator()).capacity >= 128)
    }

    @Test("a read that fills the buffer doubles it, up to 64 KiB")
    func fullReads_double_upToMaximum() {
        var sizer = ReadBufferSizer()
        var sizes: [Int] = []
        for _ in 0..<12 {
            let size = sizer.nextBufferSize()!
            let grew = sizer.record(actualReadBytes: size)
            sizes.append(sizer.nextBufferSize()!)
            #expect(grew == (sizer.nextBufferSize()! > size))
        }
        #expect(sizes.prefix(9) == [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536])
        #expect(sizes.last == 65536)
    }

    @Test("two reads in a row of at most half the buffer halve it, down to 64 bytes")
    func smallReads_halve_downToMinimum() {
        var sizer = ReadBufferSizer()
        for _ in 0..<4 { _ = sizer.record(actualReadBytes: sizer.nextBufferSize()!) }
        #expect(sizer.nextBufferSize() == 2048)
        _ = sizer.record(actualReadBytes: 10)
        #expect(sizer.nextBufferSize() == 2048, "one small read is not enough")
        _ = sizer.record(actualReadBytes: 10)
        #expect(sizer.nextBufferSize() == 1024)
        _ = sizer.record(actualReadBytes: 10)
        _ = sizer.record(actualReadBytes: 1000)
        _ = sizer.record(actualReadBytes: 10)
        #expect(sizer.nextBufferSize() == 1024, "a read of more than half in between starts over")
        for _ in 0..<20 { _ = sizer.record(actualReadBytes: 0) }
        #expect(sizer.nextBufferSize() == 64)
    }
}
