/// Where a properties section sits: in the variable header of a packet, or in the Will
/// properties of a CONNECT payload (5.0 §3.1.3.2). Each place is one bit of a mask.
struct PropertyContext: Sendable, Equatable {
    /// The packet reported in errors (CONNECT for the Will properties).
    let packetType: PacketType
    let bit: UInt16

    static func packet(_ type: PacketType) -> PropertyContext {
        PropertyContext(packetType: type, bit: 1 << type.rawValue)
    }

    static let will = PropertyContext(packetType: .connect, bit: 1)
}

/// The data type of a property's value (5.0 §2.2.2.2, Table 2-4).
enum PropertyValueType: Sendable {
    case byte
    case twoByteInteger
    case fourByteInteger
    case variableByteInteger
    case utf8String
    case binaryData
    case utf8StringPair
}

/// One row of 5.0 Table 2-4: a property's value type and the places it may appear.
struct PropertyRule: Sendable {
    let valueType: PropertyValueType
    let allowedIn: UInt16

    init(_ valueType: PropertyValueType, _ places: [PropertyContext]) {
        self.valueType = valueType
        self.allowedIn = places.reduce(0) { $0 | $1.bit }
    }

    /// The rule of each identifier, indexed by identifier; `nil` for identifiers 5.0 does not define.
    static let table: [PropertyRule?] = {
        let connect = PropertyContext.packet(.connect)
        let connAck = PropertyContext.packet(.connAck)
        let publish = PropertyContext.packet(.publish)
        let will = PropertyContext.will
        let subscribe = PropertyContext.packet(.subscribe)
        let disconnect = PropertyContext.packet(.disconnect)
        let auth = PropertyContext.packet(.auth)
        let acknowledgements: [PropertyContext] = [
            .packet(.pubAck), .packet(.pubRec), .packet(.pubRel), .packet(.pubComp), .packet(.subAck),
            .packet(.unsubAck),
        ]
        let message = [publish, will]
        var table = [PropertyRule?](repeating: nil, count: 0x2B)
        table[0x01] = PropertyRule(.byte, message)  // Payload Format Indicator
        table[0x02] = PropertyRule(.fourByteInteger, message)  // Message Expiry Interval
        table[0x03] = PropertyRule(.utf8String, message)  // Content Type
        table[0x08] = PropertyRule(.utf8String, message)  // Response Topic
        table[0x09] = PropertyRule(.binaryData, message)  // Correlation Data
        table[0x0B] = PropertyRule(.variableByteInteger, [publish, subscribe])  // Subscription Identifier
        table[0x11] = PropertyRule(.fourByteInteger, [connect, connAck, disconnect])  // Session Expiry Interval
        table[0x12] = PropertyRule(.utf8String, [connAck])  // Assigned Client Identifier
        table[0x13] = PropertyRule(.twoByteInteger, [connAck])  // Server Keep Alive
        table[0x15] = PropertyRule(.utf8String, [connect, connAck, auth])  // Authentication Method
        table[0x16] = PropertyRule(.binaryData, [connect, connAck, auth])  // Authentication Data
        table[0x17] = PropertyRule(.byte, [connect])  // Request Problem Information
        table[0x18] = PropertyRule(.fourByteInteger, [will])  // Will Delay Interval
        table[0x19] = PropertyRule(.byte, [connect])  // Request Response Information
        table[0x1A] = PropertyRule(.utf8String, [connAck])  // Response Information
        table[0x1C] = PropertyRule(.utf8String, [connAck, disconnect])  // Server Reference
        table[0x1F] = PropertyRule(.utf8String, [connAck, disconnect, auth] + acknowledgements)  // Reason String
        table[0x21] = PropertyRule(.twoByteInteger, [connect, connAck])  // Receive Maximum
        table[0x22] = PropertyRule(.twoByteInteger, [connect, connAck])  // Topic Alias Maximum
        table[0x23] = PropertyRule(.twoByteInteger, [publish])  // Topic Alias
        table[0x24] = PropertyRule(.byte, [connAck])  // Maximum QoS
        table[0x25] = PropertyRule(.byte, [connAck])  // Retain Available
        let everywhere = [connect, connAck, publish, will, subscribe, .packet(.unsubscribe), disconnect, auth]
        table[0x26] = PropertyRule(.utf8StringPair, everywhere + acknowledgements)  // User Property
        table[0x27] = PropertyRule(.fourByteInteger, [connect, connAck])  // Maximum Packet Size
        table[0x28] = PropertyRule(.byte, [connAck])  // Wildcard Subscription Available
        table[0x29] = PropertyRule(.byte, [connAck])  // Subscription Identifier Available
        table[0x2A] = PropertyRule(.byte, [connAck])  // Shared Subscription Available
        return table
    }()

    static func rule(for identifier: UInt8) -> PropertyRule? {
        Int(identifier) < table.count ? table[Int(identifier)] : nil
    }

    /// Whether `identifier` may appear more than once in `context`: the User Property
    /// anywhere (5.0 §3.1.2.11.8 and the like), the Subscription Identifier in PUBLISH only,
    /// one per matching subscription (5.0 §3.3.2.3.8). Every other repeat is a Protocol Error.
    static func mayRepeat(_ identifier: UInt8, in context: PropertyContext) -> Bool {
        identifier == 0x26 || (identifier == 0x0B && context == .packet(.publish))
    }
}
