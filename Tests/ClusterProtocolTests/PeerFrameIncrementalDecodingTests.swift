import ClusterProtocol
import NIOCore
import Testing

/// The decoder is fed as a socket feeds it: one byte at a time, in random splits, several frames per
/// read. Whatever the split, it must produce the same frames, each consuming exactly its own bytes, and
/// return nil without consuming anything until a frame is whole.
@Suite struct PeerFrameIncrementalDecodingTests {
    @Test(arguments: PeerFrameGenerator.Kind.allCases)
    func decode_givesSameFrames_whenFedByteByByte(kind: PeerFrameGenerator.Kind) async {
        let seed = baseSeed &+ 0x200 &+ UInt64(PeerFrameGenerator.Kind.allCases.firstIndex(of: kind)!)
        var generator = PeerFrameGenerator(seed: seed, sizes: .small)
        for sample in 0..<24 {
            await Task.yield()
            let frame = generator.frame(of: kind)
            let bytes = encodedBytes([frame])
            let result = decodeStream(bytes, chunks: Array(repeating: 1, count: bytes.count), seed: seed)
            #expect(result.frames == [frame], "sample \(sample) (seed \(seed))")
            #expect(result.consumed == [bytes.count], "sample \(sample) (seed \(seed))")
            #expect(result.leftover == 0, "sample \(sample) (seed \(seed))")
        }
    }

    @Test func decode_returnsNilAndConsumesNothing_forEveryProperPrefix() async {
        let seed = baseSeed &+ 0x210
        var generator = PeerFrameGenerator(seed: seed, sizes: .small)
        for sample in 0..<200 {
            if sample % 50 == 0 { await Task.yield() }
            let bytes = encodedBytes([generator.frame()])
            for cut in 0..<bytes.count {
                var buffer = ByteBuffer(bytes: bytes[..<cut])
                #expect(
                    decodeOnce(&buffer, seed: seed) == .needMoreBytes,
                    "sample \(sample), prefix \(cut) of \(bytes.count) (seed \(seed))"
                )
            }
        }
    }

    @Test func decode_givesSameFrames_whenStreamIsSplitAtRandom() async {
        let seed = baseSeed &+ 0x220
        var generator = PeerFrameGenerator(seed: seed)
        for run in 0..<150 {
            if run % 10 == 0 { await Task.yield() }
            let frames = (0..<generator.random.int(in: 1...12)).map { _ in generator.frame() }
            let sizes = frames.map { encoded($0).readableBytes }
            let bytes = encodedBytes(frames)
            let chunks = randomChunks(total: bytes.count, random: &generator.random)
            let result = decodeStream(bytes, chunks: chunks, seed: seed)
            #expect(result.frames == frames, "run \(run), chunks \(chunks) (seed \(seed))")
            #expect(result.consumed == sizes, "run \(run) (seed \(seed))")
            #expect(result.leftover == 0, "run \(run) (seed \(seed))")
        }
    }

    @Test func decode_givesEveryFrame_whenManyArriveInOneBuffer() async {
        let seed = baseSeed &+ 0x230
        var generator = PeerFrameGenerator(seed: seed)
        let frames = (0..<300).map { _ in generator.frame() }
        let sizes = frames.map { encoded($0).readableBytes }
        let bytes = encodedBytes(frames)
        let result = decodeStream(bytes, chunks: [bytes.count], seed: seed)
        #expect(result.frames == frames, "seed \(seed)")
        #expect(result.consumed == sizes, "seed \(seed)")
        #expect(result.leftover == 0, "seed \(seed)")
    }

    @Test func decode_leavesNextFrameUntouched_afterDecodingOne() throws {
        var buffer = ByteBuffer(bytes: encodedBytes([.ping, .forwardAck(upTo: 3)]).dropLast(2))
        #expect(try PeerFrameCodec.decode(from: &buffer) == .ping)
        let readerIndex = buffer.readerIndex
        #expect(try PeerFrameCodec.decode(from: &buffer) == nil)
        #expect(buffer.readerIndex == readerIndex)
        buffer.writeBytes([0, 3])
        #expect(try PeerFrameCodec.decode(from: &buffer) == .forwardAck(upTo: 3))
        #expect(buffer.readableBytes == 0)
    }

    @Test func decode_readsFromReaderIndex_notFromStartOfStorage() throws {
        var buffer = ByteBuffer(bytes: [0xEE, 0xEE, 0xEE] + encodedBytes([.pong]))
        buffer.moveReaderIndex(forwardBy: 3)
        #expect(try PeerFrameCodec.decode(from: &buffer) == .pong)
        #expect(buffer.readableBytes == 0)
    }
}
