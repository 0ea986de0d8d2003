import MQTTCodec
import NIOCore
import Testing

@testable import Transport

/// The reader that replaces a `ByteToMessageHandler`: the same packets however the stream is
/// cut into reads, and no bytes held between packets.
@Suite("PacketReader")
struct PacketReaderTests {
    static let packets: [MQTTPacket] = [
        .connect(MQTTPacket.Connect(protocolVersion: .v5, cleanStart: true, keepAlive: 30, clientID: "reader")),
        .publish(
            MQTTPacket.Publish(topic: "a/b", payload: ByteBuffer(string: "hello"), qos: .atLeastOnce, packetID: 7)
        ),
        .pingReq,
        .subscribe(
            MQTTPacket.Subscribe(
                packetID: 8,
                subscriptions: [MQTTPacket.Subscription(topicFilter: "a/#", options: .init(qos: .exactlyOnce))]
            )
        ),
        .publish(MQTTPacket.Publish(topic: "c", payload: ByteBuffer(repeating: 0x2A, count: 300))),
    ]

    static var stream: [UInt8] {
        var buffer = ByteBuffer()
        for packet in packets { packet.encode(version: .v5, into: &buffer) }
        return Array(buffer.readableBytesView)
    }

    /// Feeds `reads` one after another, as a channel would, and returns what came out.
    static func decode(_ reads: [ArraySlice<UInt8>]) throws -> (packets: [MQTTPacket], buffered: Int) {
        var reader = PacketReader(maximumPacketSize: 1 << 20)
        var packets: [MQTTPacket] = []
        for read in reads {
            reader.append(ByteBuffer(bytes: read))
            while let packet = try reader.next() { packets.append(packet) }
            reader.finishRead(allocator: ByteBufferAllocator())
        }
        return (packets, reader.bufferedBytes)
    }

    @Test("every packet comes out once, in order, whether the reads hold one byte or several packets")
    func packets_sameForAnySplit() throws {
        let stream = Self.stream
        for size in [1, 2, 3, 7, 64, stream.count] {
            let reads = stride(from: 0, to: stream.count, by: size).map { stream[$0..<min($0 + size, stream.count)] }
            let result = try Self.decode(reads)
            #expect(result.packets == Self.packets, "reads of \(size) bytes")
            #expect(result.buffered == 0, "reads of \(size) bytes")
        }
    }

    @Test("a stream cut in two at any byte gives the same packets")
    func packets_sameForEveryCutPoint() throws {
        let stream = Self.stream
        for cut in 0...stream.count {
            let result = try Self.decode([stream[..<cut], stream[cut...]])
            #expect(result.packets == Self.packets, "cut at byte \(cut)")
        }
    }

    @Test("only the bytes of the incomplete packet are held between reads")
    func incompletePacket_onlyItsBytesHeld() throws {
        let stream = Self.stream
        var firstPacket = ByteBuffer()
        Self.packets[0].encode(version: .v5, into: &firstPacket)
        let first = firstPacket.readableBytes
        // One whole packet and three bytes of the next.
        let result = try Self.decode([stream[..<(first + 3)]])
        #expect(result.packets == [Self.packets[0]])
        #expect(result.buffered == 3)
    }

    @Test("a remaining length above the maximum packet size throws before the body arrives")
    func oversizedPacket_throws() {
        var reader = PacketReader(maximumPacketSize: 128)
        reader.append(ByteBuffer(bytes: [0x30, 0x80, 0x80, 0x40]))
        #expect(throws: MQTTCodecError.self) { try reader.next() }
    }
}
