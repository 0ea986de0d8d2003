import NIOCore

/// One MQTT control packet. Each case carries the struct of its own packet type.
public enum MQTTPacket: Sendable, Equatable {
    case connect(Connect)
    case connAck(ConnAck)
    case publish(Publish)
    case pubAck(PubAck)
    case pubRec(PubRec)
    case pubRel(PubRel)
    case pubComp(PubComp)
    case subscribe(Subscribe)
    case subAck(SubAck)
    case unsubscribe(Unsubscribe)
    case unsubAck(UnsubAck)
    case pingReq
    case pingResp
    case disconnect(Disconnect)
    case auth(Auth)
}

/// The packet type in the high nibble of the fixed header's first byte.
public enum PacketType: UInt8, Sendable, Hashable, CaseIterable {
    case connect = 1
    case connAck = 2
    case publish = 3
    case pubAck = 4
    case pubRec = 5
    case pubRel = 6
    case pubComp = 7
    case subscribe = 8
    case subAck = 9
    case unsubscribe = 10
    case unsubAck = 11
    case pingReq = 12
    case pingResp = 13
    case disconnect = 14
    case auth = 15
}
