import MQTTCodec
import NIOCore

/// One raw packet, written byte by byte with what each byte is, and what decoding it gives:
/// a packet, or an error with the reason code a server answers with.
///
/// The table (`PacketFixtures.all`) is shared: the codec tests decode every fixture and
/// encode every valid one back; server tests send the same bytes over a socket.
public struct PacketFixture: Sendable, CustomStringConvertible {
    public enum Outcome: Sendable {
        /// Decodes to the packet. When `isCanonical`, encoding the packet in the fixture's
        /// version gives back exactly `bytes`; a non-canonical fixture is a form the decoder
        /// accepts but the encoder never writes.
        case decodes(MQTTPacket, isCanonical: Bool)
        /// Decoding throws `error`, whose `protocolVersion` is `errorVersion`; a server
        /// answers with `reasonCode` (in CONNACK or DISCONNECT, 5.0).
        case fails(MQTTCodecError, reasonCode: ReasonCode, errorVersion: ProtocolVersion?)
    }

    public var name: String
    /// The statement the fixture shows: a normative tag ("MQTT-3.3.1-4") or a section ("5.0 §3.8.3.1").
    public var specReference: String?
    /// The version the decoder is set to; `nil` lets it learn the version from a CONNECT.
    public var decoderVersion: ProtocolVersion?
    public var maximumPacketSize: Int
    public var bytes: [UInt8]
    public var outcome: Outcome

    public var description: String {
        let version = decoderVersion.map { "\($0)" } ?? "learned"
        return (specReference.map { "[\($0)] " } ?? "") + name + " (\(version))"
    }

    /// The decoded packet, for a valid fixture.
    public var packet: MQTTPacket? {
        if case .decodes(let packet, _) = outcome { return packet }
        return nil
    }

    /// The version a valid fixture's packet was decoded in, and is encoded in: the decoder's,
    /// else the CONNECT's own, else 3.1.1 (what a decoder assumes before any CONNECT).
    public var encodingVersion: ProtocolVersion {
        if let decoderVersion { return decoderVersion }
        if case .connect(let connect) = packet { return connect.protocolVersion }
        return .v3_1_1
    }

    /// The default limit: larger than every fixture.
    public static let defaultMaximumPacketSize = 1 << 20

    /// A packet that decodes to `packet`.
    public static func valid(
        _ name: String,
        spec: String? = nil,
        version: ProtocolVersion?,
        _ bytes: [UInt8],
        _ packet: MQTTPacket,
        canonical: Bool = true
    ) -> PacketFixture {
        PacketFixture(
            name: name,
            specReference: spec,
            decoderVersion: version,
            maximumPacketSize: defaultMaximumPacketSize,
            bytes: bytes,
            outcome: .decodes(packet, isCanonical: canonical)
        )
    }

    /// A packet decoded in `version` that fails with `error`, which reports `version`.
    public static func invalid(
        _ name: String,
        spec: String?,
        version: ProtocolVersion?,
        maximumPacketSize: Int = defaultMaximumPacketSize,
        _ bytes: [UInt8],
        _ error: MQTTCodecError,
        _ reasonCode: ReasonCode
    ) -> PacketFixture {
        PacketFixture(
            name: name,
            specReference: spec,
            decoderVersion: version,
            maximumPacketSize: maximumPacketSize,
            bytes: bytes,
            outcome: .fails(error, reasonCode: reasonCode, errorVersion: version)
        )
    }

    /// A CONNECT, decoded by a decoder that learns the version, that fails with `error`;
    /// the error reports the version the CONNECT declared (`nil` if none was read).
    public static func invalidConnect(
        _ name: String,
        spec: String?,
        declaring declared: ProtocolVersion?,
        _ bytes: [UInt8],
        _ error: MQTTCodecError,
        _ reasonCode: ReasonCode
    ) -> PacketFixture {
        PacketFixture(
            name: name,
            specReference: spec,
            decoderVersion: nil,
            maximumPacketSize: defaultMaximumPacketSize,
            bytes: bytes,
            outcome: .fails(error, reasonCode: reasonCode, errorVersion: declared)
        )
    }
}

/// The shared table of byte-annotated packets, by area.
public enum PacketFixtures {
    public static let all: [PacketFixture] =
        connect + connAck + publish + publishAcknowledgements + subscribe + subAck + unsubscribe + control

    public static var valid: [PacketFixture] { all.filter { $0.packet != nil } }
    public static var invalid: [PacketFixture] { all.filter { $0.packet == nil } }

    /// The fixtures that show the statement `reference` (e.g. "MQTT-3.3.1-4").
    public static func showing(_ reference: String) -> [PacketFixture] {
        all.filter { $0.specReference == reference }
    }
}

extension ByteBuffer {
    /// Shorthand for fixture payloads.
    static func fixture(_ string: String) -> ByteBuffer { ByteBuffer(string: string) }
    static func fixture(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
}
