import ClusterProtocol
import Foundation
import NIOCore
import Testing

/// The base seed of every randomised test; set `STARLING_SEED` to explore others. Each test adds its
/// own offset, and every failure message names the seed that produced it.
let baseSeed: UInt64 = ProcessInfo.processInfo.environment["STARLING_SEED"].flatMap { UInt64($0) } ?? 0x5354_524C

/// CPU-bound loops yield to the cooperative pool this often, so tests sharing it keep running.
let iterationsPerYield = 1_000

func encoded(_ frame: PeerFrame) -> ByteBuffer {
    var buffer = ByteBuffer()
    PeerFrameCodec.encode(frame, into: &buffer)
    return buffer
}

func encodedBytes(_ frames: [PeerFrame]) -> [UInt8] {
    var buffer = ByteBuffer()
    for frame in frames { PeerFrameCodec.encode(frame, into: &buffer) }
    return Array(buffer.readableBytesView)
}

/// A frame written by hand: `length ‖ type ‖ body`, the length counting the type byte and body.
func rawFrame(type: UInt8, body: [UInt8]) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeInteger(UInt32(1 + body.count))
    buffer.writeInteger(type)
    buffer.writeBytes(body)
    return Array(buffer.readableBytesView)
}

/// A peer string: `UInt16` length, then the bytes (not checked: tests write invalid UTF-8 with it).
func peerString(_ bytes: [UInt8]) -> [UInt8] {
    [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
}

func peerString(_ string: String) -> [UInt8] { peerString(Array(string.utf8)) }

func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// What decoding one buffer gave.
enum DecodeOutcome: Equatable {
    case frame(PeerFrame, consumed: Int)
    case needMoreBytes
    case error(PeerFrameError)
}

/// Decodes once, and checks the contract of ``PeerFrameCodec/decode(from:)``: nil consumes nothing, and a
/// frame never consumes more than the buffer held.
func decodeOnce(_ buffer: inout ByteBuffer, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation)
    -> DecodeOutcome
{
    let before = buffer.readerIndex
    let end = buffer.writerIndex
    do {
        guard let frame = try PeerFrameCodec.decode(from: &buffer) else {
            #expect(buffer.readerIndex == before, "nil consumed bytes (seed \(seed))", sourceLocation: sourceLocation)
            return .needMoreBytes
        }
        #expect(
            buffer.readerIndex > before && buffer.readerIndex <= end,
            "consumed \(buffer.readerIndex - before) of \(end - before) bytes (seed \(seed))",
            sourceLocation: sourceLocation
        )
        return .frame(frame, consumed: buffer.readerIndex - before)
    } catch {
        #expect(
            buffer.writerIndex == end,
            "the decoder wrote to its input (seed \(seed))",
            sourceLocation: sourceLocation
        )
        return .error(error)
    }
}

/// Decodes `bytes` expecting exactly one error.
func decodeError(_ bytes: [UInt8]) -> PeerFrameError? {
    var buffer = ByteBuffer(bytes: bytes)
    if case .error(let error) = decodeOnce(&buffer, seed: 0) { return error }
    return nil
}

/// Decodes `bytes` expecting exactly one frame that uses all of them.
func decodeSingle(_ bytes: [UInt8]) -> PeerFrame? {
    var buffer = ByteBuffer(bytes: bytes)
    guard case .frame(let frame, let consumed) = decodeOnce(&buffer, seed: 0), consumed == bytes.count else {
        return nil
    }
    return frame
}

/// Feeds `bytes` to a decoder in chunks of the given sizes, as a socket would deliver them, decoding
/// every frame as soon as it is complete. Returns the frames with the bytes each consumed.
func decodeStream(
    _ bytes: [UInt8],
    chunks: [Int],
    seed: UInt64,
    sourceLocation: SourceLocation = #_sourceLocation
) -> (frames: [PeerFrame], consumed: [Int], leftover: Int) {
    var buffer = ByteBuffer()
    var frames: [PeerFrame] = []
    var consumed: [Int] = []
    var offset = 0
    for chunk in chunks {
        buffer.writeBytes(bytes[offset..<offset + chunk])
        offset += chunk
        decoding: while true {
            switch decodeOnce(&buffer, seed: seed, sourceLocation: sourceLocation) {
            case .frame(let frame, let count):
                frames.append(frame)
                consumed.append(count)
            case .needMoreBytes:
                break decoding
            case .error(let error):
                Issue.record("valid stream rejected: \(error) (seed \(seed))", sourceLocation: sourceLocation)
                return (frames, consumed, buffer.readableBytes)
            }
        }
        buffer.discardReadBytes()
    }
    return (frames, consumed, buffer.readableBytes)
}

/// Splits `total` into random chunk sizes, sometimes 0 (an empty read), summing to `total`.
func randomChunks(total: Int, random: inout Xoshiro) -> [Int] {
    var chunks: [Int] = []
    var left = total
    while left > 0 {
        let size = random.chance(0.05) ? 0 : min(left, random.int(in: 1...max(1, random.pick([3, 17, 200, total]))))
        chunks.append(size)
        left -= size
    }
    return chunks
}
