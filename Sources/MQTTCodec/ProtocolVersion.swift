/// The protocol level carried in CONNECT: 3 is MQTT 3.1 ("MQIsdp"), 4 is 3.1.1, 5 is 5.0.
public enum ProtocolVersion: UInt8, Sendable, Hashable, Comparable {
    case v3_1 = 3
    case v3_1_1 = 4
    case v5 = 5

    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Whether packets at this level carry a properties section and reason codes.
    @inlinable
    public var hasProperties: Bool { self == .v5 }
}
