import Broker
import Logging
import MQTTCodec
import NIOCore

/// The handlers every MQTT connection runs, whatever carries its bytes.
public enum MQTTPipeline {
    /// Adds the connection handler, which also decodes, to `channel`'s pipeline.
    /// Must be called on the channel's event loop.
    public static func install(on channel: any Channel, broker: Broker, logger: Logger) throws {
        try install(on: channel, broker: broker, logger: logger, connections: nil)
    }

    /// As above, and the handler keeps `channel` in `connections` while it is open.
    static func install(on channel: any Channel, broker: Broker, logger: Logger, connections: ConnectionSet?) throws {
        let handler = MQTTConnectionHandler(broker: broker, logger: logger, connections: connections)
        try channel.pipeline.syncOperations.addHandler(handler)
    }
}
