import MQTTCodec

/// What a session needs from the network connection attached to it. Implemented by the
/// transport's channel handler; the broker never touches a socket.
///
/// A session runs on its shard's event loop, which is usually, but not always, the loop of
/// its connection (a resumed session stays where it was created). Implementations therefore
/// accept calls from any thread and hop to their own loop when needed.
public protocol SessionConnection: AnyObject, Sendable {
    var protocolVersion: ProtocolVersion { get }
    /// The largest packet the client accepts (its Maximum Packet Size), in bytes.
    var maximumPacketSize: Int { get }
    /// False while the socket's send buffer is above its high-water mark.
    var isWritable: Bool { get }
    /// Encodes and writes `packet`; writes are flushed once per event loop tick.
    func send(_ packet: MQTTPacket)
    /// Sends DISCONNECT with `reason` to a 5.0 client (plain close for 3.x) and closes.
    func close(reason: ReasonCode?, serverReference: String?)
}
