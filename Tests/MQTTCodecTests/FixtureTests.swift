import MQTTCodec
import NIOCore
import NIOTestUtils
import StarlingTestKit
import Testing

/// Runs the shared fixture table: every fixture decodes as annotated, every valid one survives
/// `ByteToMessageDecoderVerifier` (byte by byte, all at once, shuffled) and encodes back.
@Suite struct FixtureTests {
    @Test(arguments: PacketFixtures.all)
    func fixture_decodesAsAnnotated(_ fixture: PacketFixture) throws {
        var decoder = MQTTPacketDecoder(
            maximumPacketSize: fixture.maximumPacketSize,
            protocolVersion: fixture.decoderVersion
        )
        var buffer = ByteBuffer(bytes: fixture.bytes)
        switch fixture.outcome {
        case .decodes(let expected, _):
            let packet = try decoder.decode(buffer: &buffer)
            #expect(packet == expected)
            #expect(buffer.readableBytes == 0, "the whole packet is consumed")
        case .fails(let expectedError, let reasonCode, let errorVersion):
            let error = try #require(throws: MQTTCodecError.self) { try decoder.decode(buffer: &buffer) }
            #expect(error == expectedError)
            #expect(error.reasonCode == reasonCode)
            #expect(error.protocolVersion == errorVersion)
            #expect(buffer.readerIndex == 0, "a malformed packet is not consumed")
        }
    }

    @Test(arguments: PacketFixtures.valid)
    func validFixture_decodesAlike_whenFedInAnyChunks(_ fixture: PacketFixture) throws {
        let packet = try #require(fixture.packet)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(ByteBuffer(bytes: fixture.bytes), [packet])],
            decoderFactory: {
                MQTTPacketDecoder(maximumPacketSize: fixture.maximumPacketSize, protocolVersion: fixture.decoderVersion)
            }
        )
    }

    /// All valid fixtures of one version through one decoder, in the verifier's shuffled order:
    /// the decoder keeps no state between packets other than the version.
    @Test(arguments: [ProtocolVersion.v3_1, .v3_1_1, .v5])
    func validFixtures_decodeInSequence_inOneStream(version: ProtocolVersion) throws {
        let pairs = PacketFixtures.valid.filter { $0.decoderVersion == version }.map {
            (ByteBuffer(bytes: $0.bytes), [$0.packet!])
        }
        #expect(pairs.count >= 3)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: pairs,
            decoderFactory: { MQTTPacketDecoder(maximumPacketSize: 1 << 20, protocolVersion: version) }
        )
    }

    @Test(arguments: PacketFixtures.valid)
    func validFixture_encodesToItsBytes_whenCanonical(_ fixture: PacketFixture) throws {
        guard case .decodes(let packet, let isCanonical) = fixture.outcome else { return }
        let version = fixture.encodingVersion
        var buffer = ByteBuffer()
        packet.encode(version: version, into: &buffer)
        #expect(packet.encodedSize(version: version) == buffer.readableBytes)
        if isCanonical {
            #expect(Array(buffer.readableBytesView) == fixture.bytes)
        } else {
            #expect(
                Array(buffer.readableBytesView) != fixture.bytes,
                "a non-canonical fixture is a form we never write"
            )
        }
    }

    @Test func fixtureTable_coversEveryPacketTypeInEveryVersion() {
        for version in [ProtocolVersion.v3_1, .v3_1_1, .v5] {
            let types = Set(
                PacketFixtures.valid.filter { $0.encodingVersion == version }.compactMap { $0.packet?.packetType }
            )
            let expected = Set(PacketType.allCases.filter { $0 != .auth || version == .v5 })
            if version == .v5 || version == .v3_1_1 {
                #expect(types == expected, "\(version) misses \(expected.subtracting(types))")
            } else {
                #expect(types.isSuperset(of: [.connect, .connAck, .publish, .pubRel, .subscribe]))
            }
        }
    }
}
