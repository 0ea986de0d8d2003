extension MQTTPacket {
    /// SUBSCRIBE (fixed header flags 0b0010).
    public struct Subscribe: Sendable, Equatable {
        public var packetID: UInt16
        /// At least one [MQTT-3.8.3-3].
        public var subscriptions: [Subscription]
        /// 5.0: subscription identifier and user properties.
        public var properties: MQTTProperties

        public init(packetID: UInt16, subscriptions: [Subscription], properties: MQTTProperties = MQTTProperties()) {
            self.packetID = packetID
            self.subscriptions = subscriptions
            self.properties = properties
        }
    }

    /// One topic filter of a SUBSCRIBE with its options byte.
    public struct Subscription: Sendable, Equatable {
        /// The raw filter as sent; validated by `Topics.TopicFilter` in the broker.
        public var topicFilter: String
        public var options: SubscriptionOptions

        public init(topicFilter: String, options: SubscriptionOptions) {
            self.topicFilter = topicFilter
            self.options = options
        }
    }

    /// The subscription options byte (5.0 §3.8.3.1). 3.x uses only `qos`.
    public struct SubscriptionOptions: Sendable, Equatable {
        public var qos: QoS
        public var noLocal: Bool
        public var retainAsPublished: Bool
        public var retainHandling: RetainHandling

        public init(
            qos: QoS,
            noLocal: Bool = false,
            retainAsPublished: Bool = false,
            retainHandling: RetainHandling = .sendOnSubscribe
        ) {
            self.qos = qos
            self.noLocal = noLocal
            self.retainAsPublished = retainAsPublished
            self.retainHandling = retainHandling
        }
    }

    public enum RetainHandling: UInt8, Sendable, Equatable {
        /// 0: send retained messages at the time of the subscribe.
        case sendOnSubscribe = 0
        /// 1: send retained messages only if the subscription did not already exist.
        case sendOnNewSubscribe = 1
        /// 2: never send retained messages at subscribe.
        case doNotSend = 2
    }

    /// SUBACK: one reason code per subscription, in order. For 3.x the encoder writes
    /// granted QoS 0…2 as is and any failure (≥ 0x80) as 0x80.
    public struct SubAck: Sendable, Equatable {
        public var packetID: UInt16
        public var reasonCodes: [ReasonCode]
        public var properties: MQTTProperties

        public init(packetID: UInt16, reasonCodes: [ReasonCode], properties: MQTTProperties = MQTTProperties()) {
            self.packetID = packetID
            self.reasonCodes = reasonCodes
            self.properties = properties
        }
    }
}
