import ClusterProtocol
import NIOCore
import Testing

/// A newer peer may send frame types this version does not know. They are framed like every other, so
/// the decoder reports the type, skips the body whole, and carries on with the next frame.
@Suite struct PeerFrameUnknownTypeTests {
    @Test func decode_returnsUnknownAndSkipsBody_thenDecodesNextFrame() throws {
        let bytes = rawFrame(type: 200, body: [1, 2, 3, 0xFF, 0x00]) + encodedBytes([.forwardAck(upTo: 5)])
        var buffer = ByteBuffer(bytes: bytes)
        #expect(decodeOnce(&buffer, seed: 0) == .frame(.unknown(type: 200), consumed: 10))
        #expect(decodeOnce(&buffer, seed: 0) == .frame(.forwardAck(upTo: 5), consumed: 13))
        #expect(buffer.readableBytes == 0)
    }

    @Test func decode_returnsUnknown_forEmptyBody() {
        #expect(decodeSingle(rawFrame(type: 0, body: [])) == .unknown(type: 0))
    }

    @Test func decode_waitsForWholeBody_ofUnknownFrame() {
        let bytes = rawFrame(type: 99, body: [UInt8](repeating: 0xAA, count: 50))
        var buffer = ByteBuffer(bytes: bytes.dropLast())
        #expect(decodeOnce(&buffer, seed: 0) == .needMoreBytes)
    }

    @Test func decode_appliesLengthCap_toUnknownFrames() {
        let header = bigEndian(UInt32(PeerFrameCodec.maximumFrameLength + 1)) + [99]
        #expect(
            decodeError(header) == .frameTooLarge(length: PeerFrameCodec.maximumFrameLength + 1, maximum: 16_777_216)
        )
    }

    @Test func decode_skipsEveryUnknownType_amongKnownFrames() async {
        let seed = baseSeed &+ 0x400
        var generator = PeerFrameGenerator(seed: seed, sizes: .small)
        var bytes: [UInt8] = []
        var expected: [PeerFrame] = []
        for type in UInt8.min...UInt8.max where PeerFrame.FrameType(rawValue: type) == nil {
            // Bodies of any content, even what would be a malformed known frame.
            bytes += rawFrame(type: type, body: generator.random.bytes(count: generator.random.count(upTo: 40)))
            expected.append(.unknown(type: type))
            let known = generator.frame()
            bytes += encodedBytes([known])
            expected.append(known)
        }
        await Task.yield()
        let result = decodeStream(
            bytes,
            chunks: randomChunks(total: bytes.count, random: &generator.random),
            seed: seed
        )
        #expect(result.frames == expected, "seed \(seed)")
        #expect(result.leftover == 0, "seed \(seed)")
    }
}
