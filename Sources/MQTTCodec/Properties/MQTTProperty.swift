import NIOCore

/// One MQTT 5.0 property (§2.2.2.2). The identifier byte is `identifier`.
public enum MQTTProperty: Sendable, Hashable {
    case payloadFormatIndicator(UInt8)  // 0x01, byte
    case messageExpiryInterval(UInt32)  // 0x02, four-byte integer
    case contentType(String)  // 0x03, UTF-8 string
    case responseTopic(String)  // 0x08, UTF-8 string
    case correlationData(ByteBuffer)  // 0x09, binary data
    case subscriptionIdentifier(UInt32)  // 0x0B, variable byte integer 1…268,435,455
    case sessionExpiryInterval(UInt32)  // 0x11
    case assignedClientIdentifier(String)  // 0x12
    case serverKeepAlive(UInt16)  // 0x13
    case authenticationMethod(String)  // 0x15
    case authenticationData(ByteBuffer)  // 0x16
    case requestProblemInformation(UInt8)  // 0x17
    case willDelayInterval(UInt32)  // 0x18
    case requestResponseInformation(UInt8)  // 0x19
    case responseInformation(String)  // 0x1A
    case serverReference(String)  // 0x1C
    case reasonString(String)  // 0x1F
    case receiveMaximum(UInt16)  // 0x21
    case topicAliasMaximum(UInt16)  // 0x22
    case topicAlias(UInt16)  // 0x23
    case maximumQoS(UInt8)  // 0x24
    case retainAvailable(UInt8)  // 0x25
    case userProperty(name: String, value: String)  // 0x26, UTF-8 string pair
    case maximumPacketSize(UInt32)  // 0x27
    case wildcardSubscriptionAvailable(UInt8)  // 0x28
    case subscriptionIdentifiersAvailable(UInt8)  // 0x29
    case sharedSubscriptionAvailable(UInt8)  // 0x2A
}
