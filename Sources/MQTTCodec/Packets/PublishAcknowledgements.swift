extension MQTTPacket {
    /// PUBACK: the answer to a QoS 1 PUBLISH.
    public struct PubAck: Sendable, Equatable {
        public var packetID: UInt16
        public var reasonCode: ReasonCode
        public var properties: MQTTProperties

        public init(packetID: UInt16, reasonCode: ReasonCode = .success, properties: MQTTProperties = MQTTProperties())
        {
            self.packetID = packetID
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }

    /// PUBREC: first answer to a QoS 2 PUBLISH.
    public struct PubRec: Sendable, Equatable {
        public var packetID: UInt16
        public var reasonCode: ReasonCode
        public var properties: MQTTProperties

        public init(packetID: UInt16, reasonCode: ReasonCode = .success, properties: MQTTProperties = MQTTProperties())
        {
            self.packetID = packetID
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }

    /// PUBREL: releases a QoS 2 message (fixed header flags 0b0010).
    public struct PubRel: Sendable, Equatable {
        public var packetID: UInt16
        public var reasonCode: ReasonCode
        public var properties: MQTTProperties

        public init(packetID: UInt16, reasonCode: ReasonCode = .success, properties: MQTTProperties = MQTTProperties())
        {
            self.packetID = packetID
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }

    /// PUBCOMP: completes a QoS 2 exchange.
    public struct PubComp: Sendable, Equatable {
        public var packetID: UInt16
        public var reasonCode: ReasonCode
        public var properties: MQTTProperties

        public init(packetID: UInt16, reasonCode: ReasonCode = .success, properties: MQTTProperties = MQTTProperties())
        {
            self.packetID = packetID
            self.reasonCode = reasonCode
            self.properties = properties
        }
    }
}
