import MQTTCodec
import NIOCore

/// Builds random packets that are valid in a given protocol version, for round-trip and
/// fuzz tests. Every packet type and every property turns up; values stay inside what the
/// version can carry, so encoding and decoding must give the same packet back.
///
/// The rules here (which property goes where, which reason codes a packet takes) are written
/// out again from the specification rather than read from the codec, so the round trip checks
/// the codec against an independent statement of them.
public struct CodecPacketGenerator: Sendable {
    public var random: SeededRandom

    public init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    /// Packet types that exist in `version` (AUTH is 5.0 only).
    public static func packetTypes(in version: ProtocolVersion) -> [PacketType] {
        PacketType.allCases.filter { $0 != .auth || version == .v5 }
    }

    public mutating func packet(version: ProtocolVersion) -> MQTTPacket {
        packet(of: random.pick(Self.packetTypes(in: version)), version: version)
    }

    public mutating func packet(of type: PacketType, version: ProtocolVersion) -> MQTTPacket {
        switch type {
        case .connect: .connect(connect(version: version))
        case .connAck: .connAck(connAck(version: version))
        case .publish: .publish(publish(version: version))
        case .pubAck:
            .pubAck(
                MQTTPacket.PubAck(
                    packetID: packetID(),
                    reasonCode: reason(.pubAck, version),
                    properties: ackProperties(version)
                )
            )
        case .pubRec:
            .pubRec(
                MQTTPacket.PubRec(
                    packetID: packetID(),
                    reasonCode: reason(.pubRec, version),
                    properties: ackProperties(version)
                )
            )
        case .pubRel:
            .pubRel(
                MQTTPacket.PubRel(
                    packetID: packetID(),
                    reasonCode: reason(.pubRel, version),
                    properties: ackProperties(version)
                )
            )
        case .pubComp:
            .pubComp(
                MQTTPacket.PubComp(
                    packetID: packetID(),
                    reasonCode: reason(.pubComp, version),
                    properties: ackProperties(version)
                )
            )
        case .subscribe: .subscribe(subscribe(version: version))
        case .subAck: .subAck(subAck(version: version))
        case .unsubscribe:
            .unsubscribe(
                MQTTPacket.Unsubscribe(
                    packetID: packetID(),
                    topicFilters: (0...random.size(upTo: 8)).map { _ in string() },
                    properties: properties(.unsubscribe, version)
                )
            )
        case .unsubAck: .unsubAck(unsubAck(version: version))
        case .pingReq: .pingReq
        case .pingResp: .pingResp
        case .disconnect:
            .disconnect(
                MQTTPacket.Disconnect(
                    reasonCode: reason(.disconnect, version),
                    properties: properties(.disconnect, version)
                )
            )
        case .auth: .auth(MQTTPacket.Auth(reasonCode: reason(.auth, version), properties: properties(.auth, version)))
        }
    }

    // MARK: Packets

    public mutating func connect(version: ProtocolVersion) -> MQTTPacket.Connect {
        var will: MQTTPacket.Will?
        if random.chance(0.5) {
            will = MQTTPacket.Will(
                topic: topicName(),
                payload: bytes(upTo: 300),
                qos: random.pick(QoS.allCases),
                retain: random.chance(0.5),
                properties: properties(.will, version)
            )
        }
        let username = random.chance(0.5) ? string() : nil
        // [MQTT-3.1.2-22] before 5.0 a password needs a user name.
        let mayHavePassword = version == .v5 || username != nil
        return MQTTPacket.Connect(
            protocolVersion: version,
            cleanStart: random.chance(0.5),
            keepAlive: UInt16.random(in: 0...UInt16.max, using: &random),
            clientID: string(),
            will: will,
            username: username,
            password: mayHavePassword && random.chance(0.5) ? bytes(upTo: 64) : nil,
            properties: properties(.connect, version)
        )
    }

    public mutating func connAck(version: ProtocolVersion) -> MQTTPacket.ConnAck {
        let reasonCode = reason(.connAck, version)
        // 3.1 has no session present flag; a refusal never reports a session [MQTT-3.2.2-6].
        let sessionPresent = version != .v3_1 && !reasonCode.isFailure && random.chance(0.5)
        return MQTTPacket.ConnAck(
            sessionPresent: sessionPresent,
            reasonCode: reasonCode,
            properties: properties(.connAck, version)
        )
    }

    public mutating func publish(version: ProtocolVersion) -> MQTTPacket.Publish {
        let qos = random.pick(QoS.allCases)
        var properties = properties(.publish, version)
        var topic = topicName()
        // 5.0 §3.3.2.1: with a topic alias the topic name may be empty.
        if version == .v5 && random.chance(0.1) {
            topic = ""
            properties.topicAlias = UInt16.random(in: 1...UInt16.max, using: &random)
        }
        return MQTTPacket.Publish(
            topic: topic,
            payload: bytes(upTo: random.chance(0.01) ? 20_000 : 300),
            qos: qos,
            retain: random.chance(0.5),
            // [MQTT-3.3.1-2] DUP only above QoS 0.
            dup: qos != .atMostOnce && random.chance(0.5),
            packetID: qos == .atMostOnce ? nil : packetID(),
            properties: properties
        )
    }

    public mutating func subscribe(version: ProtocolVersion) -> MQTTPacket.Subscribe {
        let subscriptions = (0...random.size(upTo: 8)).map { _ in
            let qos = random.pick(QoS.allCases)
            guard version == .v5 else {
                return MQTTPacket.Subscription(topicFilter: string(), options: MQTTPacket.SubscriptionOptions(qos: qos))
            }
            let options = MQTTPacket.SubscriptionOptions(
                qos: qos,
                noLocal: random.chance(0.5),
                retainAsPublished: random.chance(0.5),
                retainHandling: random.pick([.sendOnSubscribe, .sendOnNewSubscribe, .doNotSend])
            )
            return MQTTPacket.Subscription(topicFilter: string(), options: options)
        }
        return MQTTPacket.Subscribe(
            packetID: packetID(),
            subscriptions: subscriptions,
            properties: properties(.subscribe, version)
        )
    }

    public mutating func subAck(version: ProtocolVersion) -> MQTTPacket.SubAck {
        let codes = (0...random.size(upTo: 8)).map { _ in reason(.subAck, version) }
        return MQTTPacket.SubAck(packetID: packetID(), reasonCodes: codes, properties: properties(.subAck, version))
    }

    public mutating func unsubAck(version: ProtocolVersion) -> MQTTPacket.UnsubAck {
        // 3.x UNSUBACK carries no reason codes.
        let codes = version == .v5 ? (0...random.size(upTo: 8)).map { _ in reason(.unsubAck, version) } : []
        return MQTTPacket.UnsubAck(packetID: packetID(), reasonCodes: codes, properties: properties(.unsubAck, version))
    }

    // MARK: Fields

    /// [MQTT-2.2.1-3] packet identifiers are non-zero.
    public mutating func packetID() -> UInt16 {
        UInt16.random(in: 1...UInt16.max, using: &random)
    }

    /// A valid reason code for `type` in `version`.
    public mutating func reason(_ type: PacketType, _ version: ProtocolVersion) -> ReasonCode {
        ReasonCode(rawValue: random.pick(Self.reasonCodes(type, version)))
    }

    /// 5.0 Tables 3-1, 3-2 … 3-11, and the 3.x forms: CONNACK's six return codes, SUBACK's
    /// granted QoS or 0x80, and nothing but success where 3.x has no reason code.
    public static func reasonCodes(_ type: PacketType, _ version: ProtocolVersion) -> [UInt8] {
        if version != .v5 {
            switch type {
            case .connAck: return [0x00, 0x84, 0x85, 0x88, 0x86, 0x87]
            case .subAck: return [0x00, 0x01, 0x02, 0x80]
            default: return [0x00]
            }
        }
        switch type {
        case .connAck:
            return [
                0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99,
                0x9A, 0x9B, 0x9C, 0x9D, 0x9F,
            ]
        case .pubAck, .pubRec: return [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]
        case .pubRel, .pubComp: return [0x00, 0x92]
        case .subAck: return [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2]
        case .unsubAck: return [0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91]
        case .disconnect:
            return [
                0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96,
                0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2,
            ]
        case .auth: return [0x00, 0x18, 0x19]
        case .connect, .publish, .subscribe, .unsubscribe, .pingReq, .pingResp: return [0x00]
        }
    }

    /// A topic name: at least one character, no wildcard [MQTT-3.3.2-2] [MQTT-4.7.3-1].
    public mutating func topicName() -> String {
        var name = ""
        while name.isEmpty {
            name = String(string().unicodeScalars.filter { $0 != "+" && $0 != "#" })
        }
        return name
    }

    /// A string of ASCII, two-, three- and four-byte UTF-8 characters, never U+0000 or a
    /// surrogate [MQTT-1.5.4-1] [MQTT-1.5.4-2].
    public mutating func string(maximumLength: Int = 24) -> String {
        let alphabet: [Unicode.Scalar] = [
            "a", "b", "z", "0", "/", "+", "#", "$", " ", "\u{01}", "\u{7F}", "é", "ß", "\u{7FF}", "中", "\u{FEFF}",
            "\u{FFFF}", "😀", "\u{10FFFF}",
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<random.size(upTo: maximumLength) { scalars.append(random.pick(alphabet)) }
        return String(scalars)
    }

    public mutating func bytes(upTo maximum: Int) -> ByteBuffer {
        let count = random.size(upTo: maximum)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count)
        for _ in 0..<count { buffer.writeInteger(UInt8.random(in: 0...255, using: &random)) }
        return buffer
    }
}
