/// Why a packet could not be decoded. A struct around a private enum so new cases
/// never break callers; `reasonCode` maps each case to the wire in one place.
///
/// Two errors are equal when their kinds are equal; `packetType` and `protocolVersion`
/// are context for the answer and do not take part in equality.
public struct MQTTCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case malformedVariableByteInteger
        case packetTooLarge(size: Int, maximum: Int)
        case reservedFlagsSet(PacketType?)
        case invalidPacketType(UInt8)
        case malformedUTF8
        case invalidPacketLength
        case packetIdentifierZero
        case invalidQoS
        case duplicateProperty(UInt8)
        case propertyNotAllowed(UInt8, PacketType)
        case unknownProperty(UInt8)
        case invalidPropertyValue(UInt8)
        case unsupportedProtocolVersion(UInt8)
        case invalidProtocolName
        case invalidConnectFlags
        case invalidTopicName
        case emptySubscriptionList
        case invalidSubscriptionOptions
        case unexpectedPacket(PacketType)
        case invalidReasonCode(UInt8)
        case dupFlagSetForQoS0
        case invalidConnAckFlags
        case topicNameMissing
        case invalidSubscriptionQoS
        case invalidRetainHandling
    }

    let kind: Kind

    /// The packet type whose decoding failed, when it was known.
    public var packetType: PacketType?

    /// The protocol version in force when decoding failed, or the one declared by the failing
    /// CONNECT once its protocol level byte was read; `nil` when no version was known yet
    /// (a server then closes the connection without answering).
    public var protocolVersion: ProtocolVersion?

    init(_ kind: Kind, packetType: PacketType? = nil) {
        self.kind = kind
        self.packetType = packetType
    }

    public static let malformedVariableByteInteger = MQTTCodecError(.malformedVariableByteInteger)
    public static let malformedUTF8 = MQTTCodecError(.malformedUTF8)
    public static let invalidPacketLength = MQTTCodecError(.invalidPacketLength)
    public static let packetIdentifierZero = MQTTCodecError(.packetIdentifierZero)
    public static let invalidQoS = MQTTCodecError(.invalidQoS)
    public static let invalidProtocolName = MQTTCodecError(.invalidProtocolName)
    public static let invalidConnectFlags = MQTTCodecError(.invalidConnectFlags)
    public static let invalidTopicName = MQTTCodecError(.invalidTopicName)
    public static let emptySubscriptionList = MQTTCodecError(.emptySubscriptionList)
    public static let invalidSubscriptionOptions = MQTTCodecError(.invalidSubscriptionOptions)
    /// PUBLISH with DUP set and QoS 0 [MQTT-3.3.1-2].
    public static let dupFlagSetForQoS0 = MQTTCodecError(.dupFlagSetForQoS0, packetType: .publish)
    /// CONNACK acknowledge flags with a reserved bit set [MQTT-3.2.2-1].
    public static let invalidConnAckFlags = MQTTCodecError(.invalidConnAckFlags, packetType: .connAck)
    /// PUBLISH with an empty topic name and no topic alias (5.0 §3.3.2.1).
    public static let topicNameMissing = MQTTCodecError(.topicNameMissing, packetType: .publish)
    /// 5.0 subscription options with Maximum QoS 3 (5.0 §3.8.3.1).
    public static let invalidSubscriptionQoS = MQTTCodecError(.invalidSubscriptionQoS, packetType: .subscribe)
    /// 5.0 subscription options with Retain Handling 3 (5.0 §3.8.3.1).
    public static let invalidRetainHandling = MQTTCodecError(.invalidRetainHandling, packetType: .subscribe)

    public static func packetTooLarge(size: Int, maximum: Int) -> MQTTCodecError {
        MQTTCodecError(.packetTooLarge(size: size, maximum: maximum))
    }
    public static func reservedFlagsSet(_ type: PacketType?) -> MQTTCodecError {
        MQTTCodecError(.reservedFlagsSet(type), packetType: type)
    }
    public static func invalidPacketType(_ byte: UInt8) -> MQTTCodecError { MQTTCodecError(.invalidPacketType(byte)) }
    public static func duplicateProperty(_ id: UInt8) -> MQTTCodecError { MQTTCodecError(.duplicateProperty(id)) }
    public static func propertyNotAllowed(_ id: UInt8, in type: PacketType) -> MQTTCodecError {
        MQTTCodecError(.propertyNotAllowed(id, type), packetType: type)
    }
    public static func unknownProperty(_ id: UInt8) -> MQTTCodecError { MQTTCodecError(.unknownProperty(id)) }
    public static func invalidPropertyValue(_ id: UInt8) -> MQTTCodecError { MQTTCodecError(.invalidPropertyValue(id)) }
    public static func unsupportedProtocolVersion(_ level: UInt8) -> MQTTCodecError {
        MQTTCodecError(.unsupportedProtocolVersion(level), packetType: .connect)
    }
    public static func unexpectedPacket(_ type: PacketType) -> MQTTCodecError {
        MQTTCodecError(.unexpectedPacket(type), packetType: type)
    }
    public static func invalidReasonCode(_ code: UInt8) -> MQTTCodecError { MQTTCodecError(.invalidReasonCode(code)) }

    /// The 5.0 reason code a server sends (in CONNACK or DISCONNECT) for this error (5.0 §4.13).
    public var reasonCode: ReasonCode {
        switch kind {
        case .packetTooLarge: .packetTooLarge
        case .unsupportedProtocolVersion, .invalidProtocolName: .unsupportedProtocolVersion
        case .invalidTopicName: .topicNameInvalid
        // §2.2.2.2: a repeated property is a Protocol Error (stated per property); so are the
        // out-of-range values (receive maximum 0, topic alias 0, a flag other than 0/1, …),
        // an empty topic without alias (§3.3.2.1), an empty SUBSCRIBE/UNSUBSCRIBE payload
        // [MQTT-3.8.3-2] [MQTT-3.10.3-2], and maximum QoS 3 or retain handling 3 (§3.8.3.1).
        case .duplicateProperty, .invalidPropertyValue, .packetIdentifierZero, .unexpectedPacket,
            .emptySubscriptionList, .topicNameMissing, .invalidSubscriptionQoS, .invalidRetainHandling:
            .protocolError
        // §2.2.2.2: a property not valid for its packet type is a Malformed Packet; so are
        // PUBLISH QoS 3 [MQTT-3.3.1-4] and Will QoS 3 [MQTT-3.1.2-12].
        case .malformedVariableByteInteger, .reservedFlagsSet, .invalidPacketType, .malformedUTF8,
            .invalidPacketLength, .unknownProperty, .propertyNotAllowed, .invalidQoS, .invalidConnectFlags,
            .invalidSubscriptionOptions, .invalidReasonCode, .dupFlagSetForQoS0, .invalidConnAckFlags:
            .malformedPacket
        }
    }

    public static func == (lhs: MQTTCodecError, rhs: MQTTCodecError) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    public var description: String {
        switch kind {
        case .malformedVariableByteInteger: "malformed variable byte integer"
        case .packetTooLarge(let size, let maximum): "packet of \(size) bytes exceeds the maximum of \(maximum)"
        case .reservedFlagsSet(let type): "reserved fixed-header flags set on \(type.map { "\($0)" } ?? "packet")"
        case .invalidPacketType(let byte): "invalid packet type \(byte)"
        case .malformedUTF8: "malformed UTF-8 string"
        case .invalidPacketLength: "remaining length does not match the packet's contents"
        case .packetIdentifierZero: "packet identifier 0"
        case .invalidQoS: "invalid QoS 3"
        case .duplicateProperty(let id): "property 0x\(String(id, radix: 16)) appears twice"
        case .propertyNotAllowed(let id, let type): "property 0x\(String(id, radix: 16)) not allowed in \(type)"
        case .unknownProperty(let id): "unknown property 0x\(String(id, radix: 16))"
        case .invalidPropertyValue(let id): "invalid value for property 0x\(String(id, radix: 16))"
        case .unsupportedProtocolVersion(let level): "unsupported protocol level \(level)"
        case .invalidProtocolName: "invalid protocol name"
        case .invalidConnectFlags: "invalid CONNECT flags"
        case .invalidTopicName: "invalid topic name"
        case .emptySubscriptionList: "no topic filters"
        case .invalidSubscriptionOptions: "invalid subscription options"
        case .unexpectedPacket(let type): "unexpected \(type) packet"
        case .invalidReasonCode(let code): "invalid reason code 0x\(String(code, radix: 16))"
        case .dupFlagSetForQoS0: "DUP flag set on a QoS 0 PUBLISH"
        case .invalidConnAckFlags: "reserved CONNACK flags set"
        case .topicNameMissing: "empty topic name without a topic alias"
        case .invalidSubscriptionQoS: "subscription maximum QoS 3"
        case .invalidRetainHandling: "retain handling 3"
        }
    }
}

extension MQTTCodecError {
    /// The same error with the packet type and version filled in where they were not known
    /// at the point of failure.
    func stamped(packetType: PacketType, protocolVersion: ProtocolVersion?) -> MQTTCodecError {
        var error = self
        if error.packetType == nil { error.packetType = packetType }
        if error.protocolVersion == nil { error.protocolVersion = protocolVersion }
        return error
    }
}
