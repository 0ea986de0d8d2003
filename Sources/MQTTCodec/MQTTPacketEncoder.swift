import NIOCore

/// Encodes packets in one protocol version, for a `MessageToByteHandler` (test clients and
/// tools; the server encodes per connection with `MQTTPacket.encode(version:into:)`).
public struct MQTTPacketEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = MQTTPacket

    public var version: ProtocolVersion

    public init(version: ProtocolVersion) {
        self.version = version
    }

    public func encode(data: MQTTPacket, out: inout ByteBuffer) throws {
        data.encode(version: version, into: &out)
    }
}
