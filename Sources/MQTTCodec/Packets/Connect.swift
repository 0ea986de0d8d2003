import NIOCore

extension MQTTPacket {
    /// CONNECT (3.1 / 3.1.1 / 5.0 §3.1).
    public struct Connect: Sendable, Equatable {
        /// "MQTT" for 3.1.1 and 5.0, "MQIsdp" for 3.1.
        public var protocolName: String
        public var protocolVersion: ProtocolVersion
        /// Clean Session (3.x) / Clean Start (5.0).
        public var cleanStart: Bool
        /// Keep alive in seconds; 0 disables it.
        public var keepAlive: UInt16
        /// May be empty: the server then assigns one (or rejects, per version).
        public var clientID: String
        public var will: Will?
        public var username: String?
        public var password: ByteBuffer?
        public var properties: MQTTProperties

        public init(
            protocolName: String? = nil,
            protocolVersion: ProtocolVersion,
            cleanStart: Bool,
            keepAlive: UInt16,
            clientID: String,
            will: Will? = nil,
            username: String? = nil,
            password: ByteBuffer? = nil,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.protocolName = protocolName ?? (protocolVersion == .v3_1 ? "MQIsdp" : "MQTT")
            self.protocolVersion = protocolVersion
            self.cleanStart = cleanStart
            self.keepAlive = keepAlive
            self.clientID = clientID
            self.will = will
            self.username = username
            self.password = password
            self.properties = properties
        }
    }

    /// The will message carried in CONNECT.
    public struct Will: Sendable, Equatable {
        public var topic: String
        public var payload: ByteBuffer
        public var qos: QoS
        public var retain: Bool
        /// Will properties (5.0 only): will delay interval, message expiry, content type, …
        public var properties: MQTTProperties

        public init(
            topic: String,
            payload: ByteBuffer,
            qos: QoS,
            retain: Bool,
            properties: MQTTProperties = MQTTProperties()
        ) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
            self.properties = properties
        }
    }
}
