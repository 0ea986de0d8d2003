import Broker
import Logging
import MQTTCodec
import NIOCore

/// The handlers every MQTT connection runs, whatever carries its bytes.
public enum MQTTPipeline {
    /// How a connection sizes the buffer it reads into. The channel keeps that buffer between
    /// reads, so its first size is what every idle connection costs: NIO's default starts at
    /// 2 KiB, this at 128 bytes (a CONNECT or a PINGREQ fits). A busy connection's reads
    /// double it, up to 64 KiB, as they fill it.
    public static let receiveBufferAllocator = AdaptiveRecvByteBufferAllocator(
        minimum: 64,
        initial: 128,
        maximum: 65_536
    )

    /// Adds the connection handler, which also decodes, to `channel`'s pipeline.
    /// Must be called on the channel's event loop.
    public static func install(on channel: any Channel, broker: Broker, logger: Logger) throws {
        try channel.pipeline.syncOperations.addHandler(MQTTConnectionHandler(broker: broker, logger: logger))
    }
}
