import NIOCore
import StarlingTestKit
import Testing

@testable import StarlingBench

@Suite("Payload header")
struct PayloadHeaderTests {
    @Test func write_producesLittleEndianFieldsAndZeroPadding_whenPaddedToPayloadSize() {
        var buffer = ByteBuffer()
        let header = PayloadHeader(
            sentAtNanoseconds: 0x0102_0304_0506_0708,
            publisherIndex: 0x0A0B_0C0D,
            sequence: 0x11
        )
        header.write(into: &buffer, paddingTo: 24)
        #expect(
            Array(buffer.readableBytesView) == [
                0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // send time
                0x0D, 0x0C, 0x0B, 0x0A,  // publisher index
                0x11, 0, 0, 0, 0, 0, 0, 0,  // sequence
                0, 0, 0, 0,  // padding
            ]
        )
    }

    @Test func decode_returnsTheWrittenHeader_whenRoundTripped() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<100 {
            let header = PayloadHeader(
                sentAtNanoseconds: generator.next(),
                publisherIndex: UInt32(truncatingIfNeeded: generator.next()),
                sequence: generator.next()
            )
            var buffer = ByteBuffer()
            header.write(into: &buffer, paddingTo: PayloadHeader.size + Int(generator.next() % 64))
            #expect(PayloadHeader(from: buffer) == header, "seed 7")
        }
    }

    @Test func decode_readsFromTheReaderIndex_whenTheBufferIsASlice() {
        var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF])
        let header = PayloadHeader(sentAtNanoseconds: 5, publisherIndex: 6, sequence: 7)
        header.write(into: &buffer, paddingTo: PayloadHeader.size)
        buffer.moveReaderIndex(forwardBy: 3)
        #expect(PayloadHeader(from: buffer) == header)
    }

    @Test func decode_returnsNil_whenThePayloadIsShorterThanTheHeader() {
        let buffer = ByteBuffer(repeating: 0, count: PayloadHeader.size - 1)
        #expect(PayloadHeader(from: buffer) == nil)
    }
}
