import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

/// Decodes `bytes` with a fresh decoder and expects `error` with `reasonCode`.
func expectRejection(
    _ bytes: [UInt8],
    version: ProtocolVersion?,
    _ error: MQTTCodecError,
    _ reasonCode: ReasonCode,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 20, protocolVersion: version)
    var buffer = ByteBuffer(bytes: bytes)
    let thrown = #expect(throws: MQTTCodecError.self, sourceLocation: sourceLocation) {
        try decoder.decode(buffer: &buffer)
    }
    #expect(thrown == error, sourceLocation: sourceLocation)
    #expect(thrown?.reasonCode == reasonCode, sourceLocation: sourceLocation)
}

/// Decodes `bytes` with a fresh decoder and returns the packet; fails the test if none comes.
func decodeOne(
    _ bytes: [UInt8],
    version: ProtocolVersion?,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> MQTTPacket {
    var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 20, protocolVersion: version)
    var buffer = ByteBuffer(bytes: bytes)
    let packet = try #require(try decoder.decode(buffer: &buffer), sourceLocation: sourceLocation)
    #expect(buffer.readableBytes == 0, sourceLocation: sourceLocation)
    return packet
}

/// Runs every invalid fixture that shows `reference` and expects its error and reason code;
/// fails if the table has none, so a rejection test cannot pass by having nothing to check.
func expectFixturesRejected(showing reference: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let fixtures = PacketFixtures.showing(reference).filter { $0.packet == nil }
    #expect(!fixtures.isEmpty, "no invalid fixture shows \(reference)", sourceLocation: sourceLocation)
    for fixture in fixtures {
        guard case .fails(let error, let reasonCode, _) = fixture.outcome else { continue }
        var decoder = MQTTPacketDecoder(
            maximumPacketSize: fixture.maximumPacketSize,
            protocolVersion: fixture.decoderVersion
        )
        var buffer = ByteBuffer(bytes: fixture.bytes)
        let thrown = #expect(throws: MQTTCodecError.self, "\(fixture)", sourceLocation: sourceLocation) {
            try decoder.decode(buffer: &buffer)
        }
        #expect(thrown == error, "\(fixture)", sourceLocation: sourceLocation)
        #expect(thrown?.reasonCode == reasonCode, "\(fixture)", sourceLocation: sourceLocation)
    }
}

/// The bytes of `packet` encoded in `version`.
func encoded(_ packet: MQTTPacket, _ version: ProtocolVersion) -> [UInt8] {
    var buffer = ByteBuffer()
    packet.encode(version: version, into: &buffer)
    return Array(buffer.readableBytesView)
}
