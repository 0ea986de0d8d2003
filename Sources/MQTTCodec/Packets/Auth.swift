extension MQTTPacket {
    /// AUTH (5.0 only): enhanced authentication exchange.
    public struct Auth: Sendable, Equatable {
        public var reasonCode: ReasonCode
        public var properties: MQTTProperties

        public init(reasonCode: ReasonCode = .success, properties: MQTTProperties = MQTTProperties()) {
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }
}
