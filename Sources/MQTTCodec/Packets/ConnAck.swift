extension MQTTPacket {
    /// CONNACK. `reasonCode` is always a 5.0 reason code; the encoder maps it to the
    /// 3.x return code (0…5) when the connection speaks 3.1 or 3.1.1.
    public struct ConnAck: Sendable, Equatable {
        public var sessionPresent: Bool
        public var reasonCode: ReasonCode
        public var properties: MQTTProperties

        public init(
            sessionPresent: Bool,
            reasonCode: ReasonCode,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.sessionPresent = sessionPresent
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }
}
