import Broker
import Logging
import MQTTCodec
import NIOCore

/// The handlers every MQTT connection runs, whatever carries its bytes.
public enum MQTTPipeline {
    /// Adds the packet decoder and the connection handler to `channel`'s pipeline.
    /// Must be called on the channel's event loop.
    public static func install(on channel: any Channel, broker: Broker, logger: Logger) throws {
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(MQTTPacketDecoder(maximumPacketSize: broker.settings.maximumPacketSize))
        )
        try channel.pipeline.syncOperations.addHandler(MQTTConnectionHandler(broker: broker, logger: logger))
    }
}
