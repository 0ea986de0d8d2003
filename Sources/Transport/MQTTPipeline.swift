import Broker
import Logging
import MQTTCodec
import NIOCore

/// The handlers an MQTT connection runs when its bytes come through a channel of its own from
/// the start (tests on an `EmbeddedChannel`); such a connection is never parked.
public enum MQTTPipeline {
    /// Adds the connection handler to `channel`'s pipeline. Must be called on the channel's event loop.
    public static func install(on channel: any Channel, broker: Broker, logger: Logger) throws {
        let context = ListenerContext(
            broker: broker,
            logger: logger,
            parkingLot: nil,
            parkAfter: .seconds(1),
            connections: ConnectionSet()
        )
        let connection = ClientConnection(
            shard: broker.shard(for: channel.eventLoop),
            context: context,
            socket: -1,
            carrier: .channel(channel)
        )
        try channel.pipeline.syncOperations.addHandler(MQTTConnectionHandler(connection: connection))
        connection.start()
    }
}
