extension MQTTPacket {
    /// UNSUBSCRIBE (fixed header flags 0b0010).
    public struct Unsubscribe: Sendable, Equatable {
        public var packetID: UInt16
        /// At least one [MQTT-3.10.3-2].
        public var topicFilters: [String]
        public var properties: MQTTProperties

        public init(packetID: UInt16, topicFilters: [String], properties: MQTTProperties = MQTTProperties()) {
            self.packetID = packetID
            self.topicFilters = topicFilters
            self.properties = properties
        }
    }

    /// UNSUBACK. `reasonCodes` is written only for 5.0; 3.x UNSUBACK has no payload.
    public struct UnsubAck: Sendable, Equatable {
        public var packetID: UInt16
        public var reasonCodes: [ReasonCode]
        public var properties: MQTTProperties

        public init(packetID: UInt16, reasonCodes: [ReasonCode] = [], properties: MQTTProperties = MQTTProperties()) {
            self.packetID = packetID
            self.reasonCodes = reasonCodes
            self.properties = properties
        }
    }
}
