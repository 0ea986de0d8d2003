import ClusterProtocol
import Foundation
import NIOCore
import Testing

/// Feeds ``PeerFrameCodec/decode(from:)`` random bytes and mutated frames: bit flips, truncations,
/// corrupted outer and inner lengths, splices, insertions and deletions.
///
/// For every input the decoder must return nil, a frame or a ``PeerFrameError`` (typed throws makes any
/// other error impossible; a trap would end the run); nil consumes nothing and a frame never more than
/// the input; and every accepted frame must encode to bytes that decode to the same frame.
///
/// `STARLING_PEER_FUZZ_ITERATIONS` sets the number of inputs (default 200,000, split over shards).
@Suite struct PeerFrameFuzzTests {
    static let shardCount = 4

    static var iterations: Int {
        ProcessInfo.processInfo.environment["STARLING_PEER_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 200_000
    }

    @Test(arguments: 0..<shardCount)
    func decode_survivesRandomAndMutatedFrames(shard: Int) async {
        let seed = baseSeed &+ 0xF000 &+ UInt64(shard)
        var fuzzer = PeerFrameFuzzer(seed: seed)
        var outcomes = Outcomes()
        let count = Self.iterations / Self.shardCount
        for index in 0..<count {
            if index % iterationsPerYield == 0 { await Task.yield() }
            let input = fuzzer.nextInput()
            check(input, seed: seed, outcomes: &outcomes, context: "seed \(seed), input \(index): \(input)")
            if outcomes.failed { return }
        }
        // The inputs must reach every outcome and most error classes for the run to mean anything.
        if count >= 10_000 {
            #expect(outcomes.frames > count / 20 && outcomes.incomplete > count / 20, "seed \(seed): \(outcomes)")
            let expected: Set<String> = [
                "truncated", "frameTooLarge", "emptyFrame", "invalidUTF8", "tooMany", "invalidValue", "badNonce",
                "badProof", "invalidPublish", "trailingBytes",
            ]
            #expect(outcomes.errors.isSuperset(of: expected), "seed \(seed): \(outcomes)")
        }
    }

    struct Outcomes: CustomStringConvertible {
        var frames = 0
        var incomplete = 0
        var errors = Set<String>()
        var failed = false

        var description: String { "\(frames) frames, \(incomplete) incomplete, errors \(errors.sorted())" }
    }

    private func check(
        _ input: [UInt8],
        seed: UInt64,
        outcomes: inout Outcomes,
        context: @autoclosure () -> String
    ) {
        var buffer = ByteBuffer(bytes: input)
        while buffer.readableBytes > 0 {
            switch decodeOnce(&buffer, seed: seed) {
            case .frame(let frame, _):
                outcomes.frames += 1
                let reencoded = Array(encoded(frame).readableBytesView)
                guard decodeSingle(reencoded) == frame else {
                    Issue.record("accepted \(frame) does not survive a round trip (\(context()))")
                    outcomes.failed = true
                    return
                }
            case .needMoreBytes:
                outcomes.incomplete += 1
                return
            case .error(let error):
                outcomes.errors.insert(Self.errorClass(error))
                return
            }
        }
    }

    static func errorClass(_ error: PeerFrameError) -> String {
        switch error {
        case .truncated: "truncated"
        case .frameTooLarge: "frameTooLarge"
        case .emptyFrame: "emptyFrame"
        case .invalidUTF8: "invalidUTF8"
        case .stringTooLong: "stringTooLong"
        case .tooMany: "tooMany"
        case .invalidValue: "invalidValue"
        case .badNonce: "badNonce"
        case .badProof: "badProof"
        case .invalidPublish: "invalidPublish"
        case .trailingBytes: "trailingBytes"
        }
    }
}

/// Makes fuzz inputs from a corpus of valid frames, one seeded generator deciding everything.
struct PeerFrameFuzzer {
    var random: Xoshiro
    let corpus: [[UInt8]]

    init(seed: UInt64) {
        var generator = PeerFrameGenerator(seed: seed, sizes: .small)
        // Known kinds mostly; a few frames hold two or three, so a mutation can hit a frame boundary.
        corpus = (0..<512).map { index in
            let count = index % 8 == 0 ? generator.random.int(in: 2...3) : 1
            return encodedBytes((0..<count).map { _ in generator.frame() })
        }
        random = generator.random
    }

    mutating func nextInput() -> [UInt8] {
        if random.chance(0.05) { return randomBytes() }
        var bytes = random.pick(corpus)
        for _ in 0..<random.int(in: 0...3) { mutate(&bytes) }
        // Mostly keep the outer length true to the bytes, so the mutation reaches the body decoder
        // instead of only making the frame look incomplete.
        if bytes.count >= 5, random.chance(0.7) { setOuterLength(&bytes, to: bytes.count - 4) }
        return bytes
    }

    private mutating func randomBytes() -> [UInt8] {
        var bytes = random.bytes(count: random.count(upTo: 48))
        if bytes.count >= 5, random.chance(0.7) {
            setOuterLength(&bytes, to: bytes.count - 4)
            bytes[4] = random.pick([1, 2, 10, 11, 12, 20, 21, 30, 31, 40, 41, bytes[4]])
        }
        return bytes
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        switch random.int(in: 0...7) {
        case 0:  // bit flips
            for _ in 0..<random.int(in: 1...4) {
                bytes[random.int(in: 0...bytes.count - 1)] ^= 1 << UInt8(random.int(in: 0...7))
            }
        case 1:  // truncation
            bytes.removeLast(random.int(in: 1...bytes.count))
        case 2:  // outer length off by a little, or anything
            let length = bytes.count - 4 + random.int(in: -3...3)
            setOuterLength(
                &bytes,
                to: random.chance(0.8) ? max(0, length) : Int(UInt32.random(in: .min ... .max, using: &random))
            )
        case 3:  // an inner length, count or integer overwritten
            let width = random.pick([1, 2, 4, 8])
            guard bytes.count >= width else { return }
            let start = random.int(in: 0...bytes.count - width)
            let fill: UInt8 = random.pick([0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: .min ... .max, using: &random)])
            for offset in start..<start + width { bytes[offset] = fill }
            if random.chance(0.5) { bytes[start + width - 1] = UInt8.random(in: .min ... .max, using: &random) }
        case 4:  // splice: the front of this frame, the back of another
            let other = random.pick(corpus)
            bytes = Array(bytes.prefix(random.int(in: 0...bytes.count)) + other.suffix(random.int(in: 0...other.count)))
        case 5:  // insertion
            let at = random.int(in: 0...bytes.count)
            bytes.insert(contentsOf: random.bytes(count: random.int(in: 1...8)), at: at)
        case 6:  // deletion
            let start = random.int(in: 0...bytes.count - 1)
            bytes.removeSubrange(start..<min(bytes.count, start + random.int(in: 1...8)))
        default:  // one byte set to a boundary value
            bytes[random.int(in: 0...bytes.count - 1)] = random.pick([0x00, 0x01, 0x02, 0x03, 0x7F, 0x80, 0xC0, 0xFF])
        }
    }

    private func setOuterLength(_ bytes: inout [UInt8], to length: Int) {
        guard bytes.count >= 4 else { return }
        let value = UInt32(truncatingIfNeeded: length)
        bytes[0] = UInt8(value >> 24)
        bytes[1] = UInt8(value >> 16 & 0xFF)
        bytes[2] = UInt8(value >> 8 & 0xFF)
        bytes[3] = UInt8(value & 0xFF)
    }
}
