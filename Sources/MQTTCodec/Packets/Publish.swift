import NIOCore

extension MQTTPacket {
    /// PUBLISH. The payload is a slice of the read buffer: it is shared by every
    /// subscriber and never copied per subscriber.
    public struct Publish: Sendable, Equatable {
        /// May be empty in 5.0 when a topic alias stands for it.
        public var topic: String
        public var payload: ByteBuffer
        public var qos: QoS
        public var retain: Bool
        public var dup: Bool
        /// Present exactly when `qos > .atMostOnce`.
        public var packetID: UInt16?
        public var properties: MQTTProperties

        public init(
            topic: String,
            payload: ByteBuffer,
            qos: QoS = .atMostOnce,
            retain: Bool = false,
            dup: Bool = false,
            packetID: UInt16? = nil,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
            self.dup = dup
            self.packetID = packetID
            self.properties = properties
        }
    }
}
