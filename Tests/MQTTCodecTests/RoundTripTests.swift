import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

/// Property tests: random valid packets of every type, with every property, in every version,
/// encode to exactly `encodedSize` bytes and decode back to the same value.
@Suite struct RoundTripTests {
    static let versions: [ProtocolVersion] = [.v3_1, .v3_1_1, .v5]
    static let casesPerType = 400

    @Test(arguments: versions)
    func everyPacketType_decodesToItself_afterEncoding(version: ProtocolVersion) async throws {
        var generator = CodecPacketGenerator(seed: 0x5EED_0000 + UInt64(version.rawValue))
        for type in CodecPacketGenerator.packetTypes(in: version) {
            await Task.yield()  // CPU-bound: let the socket tests sharing the pool run
            for _ in 0..<Self.casesPerType {
                let packet = generator.packet(of: type, version: version)
                try expectRoundTrip(packet, version: version, seed: generator.random.seed)
            }
        }
    }

    @Test(arguments: versions)
    func packetStream_decodesInOrder_afterEncoding(version: ProtocolVersion) throws {
        var generator = CodecPacketGenerator(seed: 0x57EA_0000 + UInt64(version.rawValue))
        let packets = (0..<500).map { _ in generator.packet(version: version) }
        var buffer = ByteBuffer()
        for packet in packets { packet.encode(version: version, into: &buffer) }
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 24, protocolVersion: version)
        for (index, expected) in packets.enumerated() {
            let decoded = try decoder.decode(buffer: &buffer)
            #expect(decoded == expected, "packet \(index), seed \(generator.random.seed)")
        }
        #expect(buffer.readableBytes == 0)
    }

    /// The decoder that learns the version reads every random CONNECT, whatever its version.
    @Test func connect_decodesToItself_whenTheDecoderLearnsTheVersion() throws {
        var generator = CodecPacketGenerator(seed: 0xC0_4E_C7)
        for _ in 0..<1_000 {
            let version = generator.random.pick(Self.versions)
            let packet = MQTTPacket.connect(generator.connect(version: version))
            var buffer = ByteBuffer()
            packet.encode(version: version, into: &buffer)
            var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 24)
            #expect(try decoder.decode(buffer: &buffer) == packet, "seed \(generator.random.seed)")
            #expect(decoder.protocolVersion == version)
        }
    }

    /// Every property of 5.0 Table 2-4 turns up in the generated packets, so the round trips
    /// above cover each one.
    @Test func generator_producesEveryProperty() {
        var generator = CodecPacketGenerator(seed: 0x9_0_9)
        var seen = Set<UInt8>()
        for _ in 0..<3_000 {
            switch generator.packet(version: .v5) {
            case .connect(let connect):
                seen.formUnion(connect.properties.all.map(\.identifier))
                seen.formUnion((connect.will?.properties.all ?? []).map(\.identifier))
            case .connAck(let packet): seen.formUnion(packet.properties.all.map(\.identifier))
            case .publish(let packet): seen.formUnion(packet.properties.all.map(\.identifier))
            case .subscribe(let packet): seen.formUnion(packet.properties.all.map(\.identifier))
            case .disconnect(let packet): seen.formUnion(packet.properties.all.map(\.identifier))
            case .auth(let packet): seen.formUnion(packet.properties.all.map(\.identifier))
            case .pubAck(let packet): seen.formUnion(packet.properties.all.map(\.identifier))
            default: break
            }
        }
        let all: Set<UInt8> = [
            0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1C, 0x1F, 0x21,
            0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A,
        ]
        #expect(seen == all, "missing \(all.subtracting(seen).sorted())")
    }

    /// Every byte as the reason code of each 5.0 packet that has one: it decodes exactly when
    /// the specification's table for that packet lists it.
    @Test(arguments: [PacketType.connAck, .pubAck, .pubRec, .pubRel, .pubComp, .subAck, .unsubAck, .disconnect, .auth])
    func reasonCode_decodes_exactlyWhenDefinedForThePacket(type: PacketType) throws {
        let defined = Set(CodecPacketGenerator.reasonCodes(type, .v5))
        for raw in UInt8.min...UInt8.max {
            let body: [UInt8]
            switch type {
            case .connAck: body = [0x00, raw, 0x00]  // flags, reason code, property length
            case .subAck, .unsubAck: body = [0x00, 0x01, 0x00, raw]  // packet identifier, property length, one code
            case .disconnect, .auth: body = [raw, 0x00]  // reason code, property length
            default: body = [0x00, 0x01, raw, 0x00]  // packet identifier, reason code, property length
            }
            let flags: UInt8 = type == .pubRel ? 0b0010 : 0
            var decoder = MQTTPacketDecoder(maximumPacketSize: 1024, protocolVersion: .v5)
            var buffer = ByteBuffer(bytes: [type.rawValue << 4 | flags, UInt8(body.count)] + body)
            let decoded = (try? decoder.decode(buffer: &buffer)) != nil
            #expect(decoded == defined.contains(raw), "\(type) reason code 0x\(String(raw, radix: 16))")
            #expect(ReasonCode(rawValue: raw).isValid(in: type) == defined.contains(raw))
        }
    }

    private func expectRoundTrip(_ packet: MQTTPacket, version: ProtocolVersion, seed: UInt64) throws {
        var buffer = ByteBuffer()
        packet.encode(version: version, into: &buffer)
        #expect(packet.encodedSize(version: version) == buffer.readableBytes, "\(packet), seed \(seed)")
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 24, protocolVersion: version)
        let decoded = try decoder.decode(buffer: &buffer)
        #expect(decoded == packet, "seed \(seed)")
        #expect(buffer.readableBytes == 0, "\(packet), seed \(seed)")
    }
}
