import Foundation
import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

/// Feeds `MQTTPacketDecoder.decode(buffer:)` random bytes and mutations of valid packets: bit
/// flips, truncations, corrupted length fields, splices, insertions and deletions.
///
/// For every input the decoder must return `nil`, a packet or an `MQTTCodecError`, never trap
/// or loop; it must consume nothing on `nil` or error and never more than the input; and a
/// packet it accepts must encode to `encodedSize` bytes that decode to the same packet.
///
/// `STARLING_FUZZ_ITERATIONS` sets the number of inputs (default 1,000,000, split over shards).
@Suite struct FuzzTests {
    static let shardCount = 4

    static var iterations: Int {
        ProcessInfo.processInfo.environment["STARLING_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 1_000_000
    }

    /// Inputs between yields: the shards are CPU-bound, and tests of real sockets share the
    /// cooperative pool with them, so each shard lets other tasks run now and then.
    static let inputsPerYield = 1_000

    @Test(arguments: 0..<shardCount)
    func decoder_survivesMalformedInput(shard: Int) async {
        var fuzzer = PacketFuzzer(seed: 0xF022_0000 + UInt64(shard))
        let count = Self.iterations / Self.shardCount
        var outcomes = Outcomes()
        for index in 0..<count {
            if index % Self.inputsPerYield == 0 { await Task.yield() }
            let input = fuzzer.nextInput()
            checkDecoding(input, seed: fuzzer.random.seed, outcomes: &outcomes)
        }
        // The inputs must reach every outcome, and errors of every answer, for the run to
        // mean anything: a fuzzer whose mutations all fail on the first byte tests little.
        if count >= 10_000 {
            #expect(outcomes.packets > count / 20 && outcomes.incomplete > count / 20, "\(outcomes)")
            let answers: Set<ReasonCode> = [
                .malformedPacket, .protocolError, .unsupportedProtocolVersion, .topicNameInvalid, .packetTooLarge,
            ]
            #expect(outcomes.errorReasons.isSuperset(of: answers), "\(outcomes)")
        }
    }

    /// What the decoder made of the inputs.
    struct Outcomes {
        var packets = 0
        var incomplete = 0
        var errorReasons = Set<ReasonCode>()
    }

    private func checkDecoding(_ input: PacketFuzzer.Input, seed: UInt64, outcomes: inout Outcomes) {
        var decoder = MQTTPacketDecoder(maximumPacketSize: input.maximumPacketSize, protocolVersion: input.version)
        var buffer = ByteBuffer(bytes: input.bytes)
        let end = buffer.writerIndex
        while buffer.readableBytes > 0 {
            let before = buffer.readerIndex
            let version = decoder.protocolVersion ?? .v3_1_1
            do {
                guard let packet = try decoder.decode(buffer: &buffer) else {
                    outcomes.incomplete += 1
                    #expect(buffer.readerIndex == before, "nil consumed bytes; seed \(seed), input \(input.bytes)")
                    return
                }
                guard buffer.readerIndex > before, buffer.readerIndex <= end else {
                    Issue.record("decoding moved the reader index to \(buffer.readerIndex) of \(end); seed \(seed)")
                    return
                }
                outcomes.packets += 1
                expectReencodes(packet, decodedAs: version, seed: seed, input: input.bytes)
            } catch let error as MQTTCodecError {
                outcomes.errorReasons.insert(error.reasonCode)
                #expect(buffer.readerIndex == before, "an error consumed bytes; seed \(seed), input \(input.bytes)")
                return
            } catch {
                Issue.record("unexpected error \(error); seed \(seed), input \(input.bytes)")
                return
            }
        }
    }

    private func expectReencodes(_ packet: MQTTPacket, decodedAs version: ProtocolVersion, seed: UInt64, input: [UInt8])
    {
        var encodingVersion = version
        if case .connect(let connect) = packet { encodingVersion = connect.protocolVersion }
        var buffer = ByteBuffer()
        packet.encode(version: encodingVersion, into: &buffer)
        guard packet.encodedSize(version: encodingVersion) == buffer.readableBytes else {
            Issue.record("encodedSize differs from the bytes written for \(packet); seed \(seed), input \(input)")
            return
        }
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 24, protocolVersion: encodingVersion)
        let again = try? decoder.decode(buffer: &buffer)
        if again != packet {
            Issue.record("\(packet) re-encoded decodes to \(String(describing: again)); seed \(seed), input \(input)")
        }
    }
}

/// Produces fuzz inputs from a corpus of valid encoded packets and the fixture table.
struct PacketFuzzer {
    struct Input {
        var bytes: [UInt8]
        var version: ProtocolVersion?
        var maximumPacketSize: Int
    }

    private(set) var random: SeededRandom
    private let corpus: [(bytes: [UInt8], version: ProtocolVersion?)]

    init(seed: UInt64) {
        var generator = CodecPacketGenerator(seed: seed)
        var corpus: [(bytes: [UInt8], version: ProtocolVersion?)] = PacketFixtures.all.map {
            ($0.bytes, $0.decoderVersion)
        }
        for version in [ProtocolVersion.v3_1, .v3_1_1, .v5] {
            for _ in 0..<200 {
                let packet = generator.packet(version: version)
                var buffer = ByteBuffer()
                packet.encode(version: version, into: &buffer)
                let learns = packet.packetType == .connect && generator.random.chance(0.5)
                corpus.append((Array(buffer.readableBytesView), learns ? nil : version))
            }
        }
        self.corpus = corpus
        self.random = generator.random
    }

    mutating func nextInput() -> Input {
        let base = random.pick(corpus)
        let version = random.chance(0.8) ? base.version : random.pick([nil, .v3_1, .v3_1_1, .v5])
        let maximumPacketSize = random.chance(0.9) ? 1 << 20 : random.pick([2, 16, 64, 300])
        return Input(bytes: mutate(base.bytes), version: version, maximumPacketSize: maximumPacketSize)
    }

    private mutating func mutate(_ original: [UInt8]) -> [UInt8] {
        var bytes = original
        switch Int.random(in: 0..<8, using: &random) {
        case 0:  // random bytes
            bytes = (0..<random.size(upTo: 64)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1:  // bit flips
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
        case 2:  // truncation
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        case 3:  // remaining length corruption
            corruptRemainingLength(&bytes)
        case 4:  // a two-byte length field inside the packet
            if bytes.count >= 4 {
                let offset = Int.random(in: 2..<(bytes.count - 1), using: &random)
                bytes[offset] = random.pick([0x00, 0x00, 0x7F, 0xFF])
                bytes[offset + 1] = UInt8.random(in: 0...255, using: &random)
            }
        case 5:  // splice with another packet
            let other = random.pick(corpus).bytes
            bytes =
                Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                + other.suffix(Int.random(in: 0...other.count, using: &random))
        case 6:  // insert, delete or overwrite a byte
            mutateOneByte(&bytes)
        default:  // several valid packets in a row, one of them damaged
            bytes += random.pick(corpus).bytes
            mutateOneByte(&bytes)
            bytes += random.pick(corpus).bytes
        }
        return bytes
    }

    private mutating func corruptRemainingLength(_ bytes: inout [UInt8]) {
        guard bytes.count >= 2 else { return }
        let width = Int.random(in: 1...min(5, bytes.count - 1), using: &random)
        for index in 1...width {
            bytes[index] = random.pick([0x00, 0x7F, 0x80, 0xFF, UInt8.random(in: 0...255, using: &random)])
        }
    }

    private mutating func mutateOneByte(_ bytes: inout [UInt8]) {
        let position = Int.random(in: 0...bytes.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 1 where position < bytes.count: bytes.remove(at: position)
        default:
            if position < bytes.count { bytes[position] = UInt8.random(in: 0...255, using: &random) }
        }
    }
}
