import MQTTCodec
import NIOCore
import Topics

/// An application message on its way from one publisher to its subscribers.
///
/// A class so that one publish is one allocation however many subscribers it reaches:
/// every subscriber holds a reference, and the payload bytes are never copied.
public final class Message: Sendable {
    public let topic: TopicName
    public let payload: ByteBuffer
    public let qos: QoS
    public let retain: Bool
    /// The properties that travel with the message [MQTT-3.3.2-15…20]: payload format, content
    /// type, response topic, correlation data, user properties. Never topic alias, message expiry
    /// or subscription identifiers, which are per hop and written at delivery.
    public let properties: MQTTProperties
    /// When the message expires, if it carried a Message Expiry Interval.
    public let expiresAt: NIODeadline?
    /// The session that published it, for No Local; nil for messages the broker makes.
    public let publisherSessionID: SessionID?
    /// Names the publish cluster-wide, so a session that moved between nodes can drop a second copy.
    public let origin: MessageOrigin

    public init(
        topic: TopicName,
        payload: ByteBuffer,
        qos: QoS,
        retain: Bool,
        properties: MQTTProperties = MQTTProperties(),
        expiresAt: NIODeadline? = nil,
        publisherSessionID: SessionID? = nil,
        origin: MessageOrigin = .none
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
        self.expiresAt = expiresAt
        self.publisherSessionID = publisherSessionID
        self.origin = origin
    }

    /// Whether the message has expired at `now` [MQTT-3.3.2-5].
    @inlinable
    public func isExpired(at now: NIODeadline) -> Bool {
        guard let expiresAt else { return false }
        return now >= expiresAt
    }

    /// The Message Expiry Interval to send at `now`: the time the message still has to live,
    /// rounded up so a message is never announced as expired before it is [MQTT-3.3.2-6].
    public func remainingExpiry(at now: NIODeadline) -> UInt32? {
        guard let expiresAt else { return nil }
        let nanoseconds = max(0, (expiresAt - now).nanoseconds)
        return UInt32(clamping: (nanoseconds + 999_999_999) / 1_000_000_000)
    }
}

/// A session's identity inside one broker process: unique for the process lifetime,
/// unlike a client identifier, which a new session may reuse.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "#\(rawValue)" }
}

/// A publish's cluster-wide name: the boot of the broker process it was published on, and a number that
/// process never repeats.
public struct MessageOrigin: Hashable, Sendable {
    public var bootID: UInt64
    public var sequence: UInt64

    public init(bootID: UInt64, sequence: UInt64) {
        self.bootID = bootID
        self.sequence = sequence
    }

    /// Messages without a name take part in no duplicate check.
    public static let none = MessageOrigin(bootID: 0, sequence: 0)
}
