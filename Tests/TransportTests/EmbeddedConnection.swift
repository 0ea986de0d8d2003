import Broker
import Logging
import MQTTCodec
import NIOCore
import NIOEmbedded
import Transport

/// One MQTT connection on an `EmbeddedChannel`: the real pipeline and a broker whose only
/// shard runs on the channel's `EmbeddedEventLoop`, so tests control both the bytes and time.
final class EmbeddedConnection {
    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel
    let broker: Broker
    private var decoder: MQTTPacketDecoder

    init(settings: BrokerSettings = BrokerSettings(), version: ProtocolVersion = .v5) throws {
        var logger = Logger(label: "transport-test")
        logger.logLevel = .critical
        broker = Broker(settings: settings, eventLoops: [loop], logger: logger)
        channel = EmbeddedChannel(loop: loop)
        decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 20, protocolVersion: version)
        try MQTTPipeline.install(on: channel, broker: broker, logger: logger)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1883)).wait()
    }

    var isActive: Bool { channel.isActive }

    /// Feeds raw bytes, then lets the loop run what they caused.
    func receive(bytes: [UInt8]) throws {
        try channel.writeInbound(ByteBuffer(bytes: bytes))
        loop.run()
    }

    func receive(_ packet: MQTTPacket, version: ProtocolVersion = .v5) throws {
        try receive(bytes: Self.encode(packet, version: version))
    }

    static func encode(_ packet: MQTTPacket, version: ProtocolVersion = .v5) -> [UInt8] {
        var buffer = ByteBuffer()
        packet.encode(version: version, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Every packet the server has written so far, decoded.
    func sentPackets() throws -> [MQTTPacket] {
        loop.run()
        var packets: [MQTTPacket] = []
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            while let packet = try decoder.decode(buffer: &buffer) { packets.append(packet) }
        }
        return packets
    }

    func advanceTime(by amount: TimeAmount) {
        loop.advanceTime(by: amount)
        loop.run()
    }

    func connect(clientID: String = "embedded", keepAlive: UInt16 = 0, version: ProtocolVersion = .v5) throws {
        let connect = MQTTPacket.Connect(
            protocolVersion: version,
            cleanStart: true,
            keepAlive: keepAlive,
            clientID: clientID
        )
        try receive(.connect(connect), version: version)
    }

    func finish() {
        _ = try? channel.finish()
        try? loop.syncShutdownGracefully()
    }
}
