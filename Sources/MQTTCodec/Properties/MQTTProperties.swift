import NIOCore

/// The properties section of a 5.0 packet, kept in wire order.
///
/// Most packets carry no properties, so the storage is an array that costs no
/// allocation when empty; typed accessors read and write the first property of a kind.
public struct MQTTProperties: Sendable, Hashable {
    public var all: [MQTTProperty]

    @inlinable
    public init(_ properties: [MQTTProperty] = []) { self.all = properties }

    @inlinable
    public var isEmpty: Bool { all.isEmpty }

    /// The user properties in order; a name may occur more than once [MQTT-3.3.2-17].
    public var userProperties: [(name: String, value: String)] {
        all.compactMap {
            if case .userProperty(let name, let value) = $0 { return (name, value) }
            return nil
        }
    }

    /// Every subscription identifier (PUBLISH may carry several, one per matching subscription).
    public var subscriptionIdentifiers: [UInt32] {
        all.compactMap {
            if case .subscriptionIdentifier(let id) = $0 { return id }
            return nil
        }
    }

    @inlinable
    public mutating func append(_ property: MQTTProperty) { all.append(property) }

    /// Removes every property whose identifier is `identifier`.
    @inlinable
    public mutating func removeAll(identifier: UInt8) {
        all.removeAll { $0.identifier == identifier }
    }

    @inlinable
    mutating func replace(identifier: UInt8, with property: MQTTProperty?) {
        if let index = all.firstIndex(where: { $0.identifier == identifier }) {
            if let property {
                all[index] = property
            } else {
                all.remove(at: index)
            }
            all.removeAll { $0.identifier == identifier && $0 != property }
        } else if let property {
            all.append(property)
        }
    }
}

extension MQTTProperty {
    /// The identifier byte written before the value.
    @inlinable
    public var identifier: UInt8 {
        switch self {
        case .payloadFormatIndicator: 0x01
        case .messageExpiryInterval: 0x02
        case .contentType: 0x03
        case .responseTopic: 0x08
        case .correlationData: 0x09
        case .subscriptionIdentifier: 0x0B
        case .sessionExpiryInterval: 0x11
        case .assignedClientIdentifier: 0x12
        case .serverKeepAlive: 0x13
        case .authenticationMethod: 0x15
        case .authenticationData: 0x16
        case .requestProblemInformation: 0x17
        case .willDelayInterval: 0x18
        case .requestResponseInformation: 0x19
        case .responseInformation: 0x1A
        case .serverReference: 0x1C
        case .reasonString: 0x1F
        case .receiveMaximum: 0x21
        case .topicAliasMaximum: 0x22
        case .topicAlias: 0x23
        case .maximumQoS: 0x24
        case .retainAvailable: 0x25
        case .userProperty: 0x26
        case .maximumPacketSize: 0x27
        case .wildcardSubscriptionAvailable: 0x28
        case .subscriptionIdentifiersAvailable: 0x29
        case .sharedSubscriptionAvailable: 0x2A
        }
    }
}

// Typed accessors. Each reads the first property of its kind and replaces it on write.
extension MQTTProperties {
    public var payloadFormatIndicator: UInt8? {
        get { first { if case .payloadFormatIndicator(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x01, with: newValue.map { .payloadFormatIndicator($0) }) }
    }
    public var messageExpiryInterval: UInt32? {
        get { first { if case .messageExpiryInterval(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x02, with: newValue.map { .messageExpiryInterval($0) }) }
    }
    public var contentType: String? {
        get { first { if case .contentType(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x03, with: newValue.map { .contentType($0) }) }
    }
    public var responseTopic: String? {
        get { first { if case .responseTopic(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x08, with: newValue.map { .responseTopic($0) }) }
    }
    public var correlationData: ByteBuffer? {
        get { first { if case .correlationData(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x09, with: newValue.map { .correlationData($0) }) }
    }
    public var sessionExpiryInterval: UInt32? {
        get { first { if case .sessionExpiryInterval(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x11, with: newValue.map { .sessionExpiryInterval($0) }) }
    }
    public var assignedClientIdentifier: String? {
        get { first { if case .assignedClientIdentifier(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x12, with: newValue.map { .assignedClientIdentifier($0) }) }
    }
    public var serverKeepAlive: UInt16? {
        get { first { if case .serverKeepAlive(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x13, with: newValue.map { .serverKeepAlive($0) }) }
    }
    public var authenticationMethod: String? {
        get { first { if case .authenticationMethod(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x15, with: newValue.map { .authenticationMethod($0) }) }
    }
    public var authenticationData: ByteBuffer? {
        get { first { if case .authenticationData(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x16, with: newValue.map { .authenticationData($0) }) }
    }
    public var requestProblemInformation: UInt8? {
        get { first { if case .requestProblemInformation(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x17, with: newValue.map { .requestProblemInformation($0) }) }
    }
    public var willDelayInterval: UInt32? {
        get { first { if case .willDelayInterval(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x18, with: newValue.map { .willDelayInterval($0) }) }
    }
    public var requestResponseInformation: UInt8? {
        get { first { if case .requestResponseInformation(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x19, with: newValue.map { .requestResponseInformation($0) }) }
    }
    public var responseInformation: String? {
        get { first { if case .responseInformation(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x1A, with: newValue.map { .responseInformation($0) }) }
    }
    public var serverReference: String? {
        get { first { if case .serverReference(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x1C, with: newValue.map { .serverReference($0) }) }
    }
    public var reasonString: String? {
        get { first { if case .reasonString(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x1F, with: newValue.map { .reasonString($0) }) }
    }
    public var receiveMaximum: UInt16? {
        get { first { if case .receiveMaximum(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x21, with: newValue.map { .receiveMaximum($0) }) }
    }
    public var topicAliasMaximum: UInt16? {
        get { first { if case .topicAliasMaximum(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x22, with: newValue.map { .topicAliasMaximum($0) }) }
    }
    public var topicAlias: UInt16? {
        get { first { if case .topicAlias(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x23, with: newValue.map { .topicAlias($0) }) }
    }
    public var maximumQoS: UInt8? {
        get { first { if case .maximumQoS(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x24, with: newValue.map { .maximumQoS($0) }) }
    }
    public var retainAvailable: UInt8? {
        get { first { if case .retainAvailable(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x25, with: newValue.map { .retainAvailable($0) }) }
    }
    public var maximumPacketSize: UInt32? {
        get { first { if case .maximumPacketSize(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x27, with: newValue.map { .maximumPacketSize($0) }) }
    }
    public var wildcardSubscriptionAvailable: UInt8? {
        get { first { if case .wildcardSubscriptionAvailable(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x28, with: newValue.map { .wildcardSubscriptionAvailable($0) }) }
    }
    public var subscriptionIdentifiersAvailable: UInt8? {
        get { first { if case .subscriptionIdentifiersAvailable(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x29, with: newValue.map { .subscriptionIdentifiersAvailable($0) }) }
    }
    public var sharedSubscriptionAvailable: UInt8? {
        get { first { if case .sharedSubscriptionAvailable(let v) = $0 { v } else { nil } } }
        set { replace(identifier: 0x2A, with: newValue.map { .sharedSubscriptionAvailable($0) }) }
    }

    @inlinable
    func first<T>(_ extract: (MQTTProperty) -> T?) -> T? {
        for property in all {
            if let value = extract(property) { return value }
        }
        return nil
    }
}
