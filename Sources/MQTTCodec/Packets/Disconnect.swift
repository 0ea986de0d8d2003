extension MQTTPacket {
    /// DISCONNECT. 3.x DISCONNECT is two bytes; reason code and properties are 5.0 only.
    public struct Disconnect: Sendable, Equatable {
        public var reasonCode: ReasonCode
        public var properties: MQTTProperties

        public init(reasonCode: ReasonCode = .normalDisconnection, properties: MQTTProperties = MQTTProperties()) {
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }
}
