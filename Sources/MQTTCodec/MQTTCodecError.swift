/// Why a packet could not be decoded. A struct around a private enum so new cases
/// never break callers; `reasonCode` maps each case to the wire in one place.
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
    }

    let kind: Kind

    /// The packet type whose decoding failed, when it was known.
    public var packetType: PacketType?

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

    /// The 5.0 reason code a server sends (in CONNACK or DISCONNECT) for this error.
    public var reasonCode: ReasonCode {
        switch kind {
        case .packetTooLarge: .packetTooLarge
        case .unsupportedProtocolVersion, .invalidProtocolName: .unsupportedProtocolVersion
        case .invalidTopicName: .topicNameInvalid
        // A duplicate or misplaced property is a protocol error [MQTT-2.2.2-2 / §2.2.2.2].
        case .duplicateProperty, .propertyNotAllowed, .packetIdentifierZero, .unexpectedPacket, .invalidQoS:
            .protocolError
        case .malformedVariableByteInteger, .reservedFlagsSet, .invalidPacketType, .malformedUTF8,
            .invalidPacketLength, .unknownProperty, .invalidPropertyValue, .invalidConnectFlags,
            .emptySubscriptionList, .invalidSubscriptionOptions, .invalidReasonCode:
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
        }
    }
}
