import MQTTCodec

/// The limits and features a broker offers its clients. Built from the configuration by
/// the server; the broker never reads configuration itself.
public struct BrokerSettings: Sendable, Equatable {
    /// Largest packet the broker accepts, in bytes (announced as Maximum Packet Size).
    public var maximumPacketSize: Int = 1 << 20
    /// How many inbound QoS 1/2 publishes a client may leave unacknowledged (Receive Maximum).
    public var receiveMaximum: UInt16 = 1024
    /// Cap on the outbound inflight window; the client's own Receive Maximum also applies.
    public var maximumInflight: UInt16 = 1024
    /// Clients asking for a longer keep alive (or none) get this as Server Keep Alive.
    public var maximumKeepAlive: UInt16 = 65535
    /// How many topic aliases a client may define towards the broker.
    public var topicAliasMaximum: UInt16 = 64
    /// Cap on the session expiry interval a client may ask for, in seconds.
    public var maximumSessionExpiry: UInt32 = 86_400
    /// Messages kept per session while it is offline or its inflight window is full.
    public var maximumQueuedMessages: Int = 1000
    public var queueFullPolicy: QueueFullPolicy = .dropOldest
    public var maximumQoS: QoS = .exactlyOnce
    public var retainAvailable: Bool = true
    public var wildcardSubscriptionsAvailable: Bool = true
    public var sharedSubscriptionsAvailable: Bool = true
    public var subscriptionIdentifiersAvailable: Bool = true
    public var maximumTopicLevels: Int = 128
    public var maximumClientIDLength: Int = 65535
    public var maximumRetainedMessages: Int = 1_000_000
    /// Time allowed between accepting a connection and receiving its CONNECT.
    public var connectTimeout: Duration = .seconds(10)

    public init() {}

    public enum QueueFullPolicy: Sendable, Equatable {
        /// Drop the oldest queued message to make room for the new one.
        case dropOldest
        /// Keep the queue as it is and drop the new message.
        case dropNewest
    }
}
