import ClusterProtocol
import MQTTCodec
import NIOCore
import Testing

/// Random, valid ``PeerFrame``s of every kind, drawn from one seeded ``Xoshiro``.
///
/// Strings mix empty, ASCII, two-, three- and four-byte UTF-8 and combining marks; routes are of all
/// three kinds; forwarded messages and retained entries cover QoS 0/1/2, retain, DUP, empty and binary
/// payloads and the PUBLISH properties of MQTT 5.0 (§3.3.2.3) in random order, user properties repeated;
/// retained entries are messages or tombstones.
struct PeerFrameGenerator {
    /// Upper bounds on what one frame holds. ``small`` keeps the fuzz corpus quick to mutate.
    struct Sizes {
        var stringScalars: Int
        var routes: Int
        var messages: Int
        var payloadBytes: Int
        var userProperties: Int

        static let normal = Sizes(stringScalars: 40, routes: 24, messages: 6, payloadBytes: 600, userProperties: 5)
        static let small = Sizes(stringScalars: 6, routes: 3, messages: 2, payloadBytes: 12, userProperties: 2)
    }

    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case hello, authenticate, routeSnapshot, routeDelta, snapshotRequest, routeAck, forward, forwardAck, ping
        case sessionClaim, sessionClaimReply, sessionFetch, sessionHandoff, sessionRelease, sessionRegister
        case sessionEnded, sessionEvict, sessionLookup, sessionLookupReply, sessionDescribe, sessionDescription
        case willDeposit, willWithdraw, nodeDraining, mqttListener
        case pong, retainedUpdates, retainedSnapshot, unknown

        var testDescription: String { rawValue }
    }

    var random: Xoshiro
    var sizes: Sizes

    init(seed: UInt64, sizes: Sizes = .normal) {
        self.random = Xoshiro(seed: seed)
        self.sizes = sizes
    }

    mutating func frame() -> PeerFrame {
        frame(of: random.pick(Kind.allCases))
    }

    mutating func frame(of kind: Kind) -> PeerFrame {
        switch kind {
        case .hello:
            .hello(
                PeerFrame.Hello(
                    minimumVersion: random.pick([0, 1, 2, .max]),
                    maximumVersion: random.pick([1, 2, 7, .max]),
                    clusterName: string(),
                    nodeName: string(),
                    bootID: random.next(),
                    nonce: random.bytes(count: PeerFrameCodec.nonceLength)
                )
            )
        case .authenticate:
            .authenticate(
                PeerFrame.Authenticate(
                    version: UInt8.random(in: .min ... .max, using: &random),
                    proof: random.bytes(count: PeerFrameCodec.proofLength)
                )
            )
        case .routeSnapshot:
            .routeSnapshot(
                PeerFrame.RouteSnapshot(
                    bootID: random.next(),
                    sequence: random.next() >> random.int(in: 0...63),
                    routes: (0..<random.count(upTo: sizes.routes)).map { _ in route() }
                )
            )
        case .routeDelta:
            .routeDelta(
                PeerFrame.RouteDelta(
                    bootID: random.next(),
                    sequence: random.next() >> random.int(in: 0...63),
                    change: random.pick([.add, .remove]),
                    route: route()
                )
            )
        case .snapshotRequest: .snapshotRequest
        case .routeAck: .routeAck(sequence: random.next() >> random.int(in: 0...63))
        case .forward:
            .forward(PeerFrame.ForwardBatch(messages: (0..<random.count(upTo: sizes.messages)).map { _ in message() }))
        case .forwardAck: .forwardAck(upTo: random.next() >> random.int(in: 0...63))
        case .ping: .ping
        case .pong: .pong
        case .retainedUpdates:
            .retainedUpdates(
                PeerFrame.RetainedUpdates(
                    entries: (0..<random.count(upTo: sizes.messages)).map { _ in retainedEntry() }
                )
            )
        case .retainedSnapshot:
            .retainedSnapshot(
                PeerFrame.RetainedSnapshot(
                    isLast: random.chance(0.5),
                    entries: (0..<random.count(upTo: sizes.messages)).map { _ in retainedEntry() }
                )
            )
        case .unknown: .unknown(type: unknownType())
        case .sessionClaim:
            .sessionClaim(.init(requestID: random.next(), clientID: string(), claimedAt: random.next() >> 20))
        case .sessionClaimReply:
            .sessionClaimReply(.init(requestID: random.next(), previousHolder: string(), generation: random.next()))
        case .sessionFetch:
            .sessionFetch(
                .init(
                    requestID: random.next(),
                    clientID: string(),
                    cleanStart: random.chance(0.5),
                    generation: random.next()
                )
            )
        case .sessionHandoff:
            .sessionHandoff(
                .init(
                    requestID: random.next(),
                    clientID: string(),
                    outcome: handoffOutcome(),
                    isFinal: random.chance(0.5)
                )
            )
        case .sessionRelease: .sessionRelease(clientID: string())
        case .sessionRegister:
            .sessionRegister(
                (0..<random.count(upTo: sizes.routes)).map { _ in .init(clientID: string(), claimedAt: random.next()) }
            )
        case .sessionEnded: .sessionEnded(.init(clientID: string(), claimedAt: random.next()))
        case .sessionEvict: .sessionEvict(clientID: string(), winner: string())
        case .sessionLookup: .sessionLookup(requestID: random.next(), clientID: string())
        case .sessionLookupReply: .sessionLookupReply(requestID: random.next(), holder: string())
        case .sessionDescribe: .sessionDescribe(requestID: random.next(), clientID: string())
        case .sessionDescription:
            .sessionDescription(
                requestID: random.next(),
                description: random.chance(0.3)
                    ? nil
                    : .init(
                        connected: random.chance(0.5),
                        protocolVersion: string(),
                        subscriptions: (0..<random.count(upTo: 4)).map { _ in string() },
                        inflight: UInt32(truncatingIfNeeded: random.next()),
                        queued: UInt32(truncatingIfNeeded: random.next()),
                        expiryInterval: UInt32(truncatingIfNeeded: random.next()),
                        hasWill: random.chance(0.5)
                    )
            )
        case .willDeposit:
            .willDeposit(
                clientID: string(),
                will: .init(publish: publish(qos: random.pick(QoS.allCases)), delay: UInt32(random.int(in: 0...86_400)))
            )
        case .willWithdraw: .willWithdraw(clientID: string())
        case .nodeDraining: .nodeDraining
        case .mqttListener: .mqttListener(port: UInt16(random.int(in: 0...65_535)))
        }
    }

    mutating func handoffOutcome() -> PeerFrame.SessionHandoff.Outcome {
        switch random.int(in: 1...3) {
        case 1: return .absent
        case 2: return .moved(to: string())
        default:
            var state = PeerFrame.SessionState()
            state.subscriptions = (0..<random.count(upTo: 4)).map { _ in
                .init(
                    filter: string(),
                    options: MQTTPacket.SubscriptionOptions(
                        qos: random.pick(QoS.allCases),
                        noLocal: random.chance(0.5),
                        retainAsPublished: random.chance(0.5),
                        retainHandling: random.pick([.sendOnSubscribe, .sendOnNewSubscribe, .doNotSend])
                    ),
                    subscriptionIdentifier: random.chance(0.5) ? nil : UInt32(random.int(in: 1...268_435_455))
                )
            }
            state.awaitingRelease = (0..<random.count(upTo: 4)).map { _ in UInt16(random.int(in: 1...65_535)) }
            state.lastPacketID = UInt16(random.int(in: 0...65_535))
            state.inflight = (0..<random.count(upTo: sizes.messages)).map { _ in
                .init(
                    packetID: UInt16(random.int(in: 1...65_535)),
                    stage: random.pick([.awaitingPubAck, .awaitingPubRec, .awaitingPubComp]),
                    delivery: delivery()
                )
            }
            state.queued = (0..<random.count(upTo: sizes.messages)).map { _ in delivery() }
            state.expiryInterval = UInt32(truncatingIfNeeded: random.next())
            state.claimedAt = random.next() >> random.int(in: 0...63)
            if random.chance(0.5) {
                state.will = .init(
                    publish: publish(qos: random.pick(QoS.allCases)),
                    delay: UInt32(random.int(in: 0...86_400))
                )
            }
            return .state(state)
        }
    }

    mutating func delivery() -> PeerFrame.Delivery {
        PeerFrame.Delivery(
            origin: origin(),
            qos: random.pick(QoS.allCases),
            retain: random.chance(0.5),
            subscriptionIdentifiers: (0..<random.count(upTo: 3)).map { _ in UInt32(random.int(in: 1...268_435_455)) },
            publish: publish(qos: random.pick(QoS.allCases))
        )
    }

    mutating func origin() -> PeerFrame.Origin {
        random.chance(0.2) ? .none : PeerFrame.Origin(bootID: random.next(), sequence: random.next())
    }

    /// A retained message (its PUBLISH carrying the entry's topic) or a tombstone, which may have any topic.
    mutating func retainedEntry() -> PeerFrame.RetainedEntry {
        let topic: String
        let content: PeerFrame.RetainedEntry.Content
        if random.chance(0.3) {
            topic = string()
            content = .tombstone
        } else {
            topic = nonEmptyTopic()
            var publish = publish(qos: random.pick(QoS.allCases))
            publish.topic = topic
            content = .message(publish)
        }
        return PeerFrame.RetainedEntry(
            topic: topic,
            wallMilliseconds: random.next() >> random.int(in: 0...63),
            logical: UInt32.random(in: .min ... .max, using: &random) >> UInt32(random.int(in: 0...31)),
            origin: string(),
            content: content
        )
    }

    /// A frame type this version does not know.
    mutating func unknownType() -> UInt8 {
        while true {
            let type = UInt8.random(in: .min ... .max, using: &random)
            if PeerFrame.FrameType(rawValue: type) == nil { return type }
        }
    }

    mutating func route() -> PeerFrame.Route {
        switch random.int(in: 1...3) {
        case 1: .filter(string())
        case 2: .sharedMember(group: string(), filter: string(), clientID: string())
        default: .exclusive(topic: string(), clientID: string(), grantedAt: random.next() >> random.int(in: 0...63))
        }
    }

    mutating func message() -> PeerFrame.ForwardedMessage {
        let target: PeerFrame.ForwardedMessage.Target
        switch random.int(in: 1...3) {
        case 1: target = .subscribers
        case 2: target = .sharedMember(group: string(), filter: string(), clientID: string())
        default:
            target = .session(
                clientID: string(),
                qos: random.pick(QoS.allCases),
                retain: random.chance(0.5),
                subscriptionIdentifiers: (0..<random.count(upTo: 3)).map { _ in UInt32(random.int(in: 1...268_435_455))
                }
            )
        }
        let qos = random.pick(QoS.allCases)
        return PeerFrame.ForwardedMessage(
            id: qos == .atMostOnce && random.chance(0.7) ? 0 : random.next() >> random.int(in: 0...63),
            origin: origin(),
            target: target,
            publish: publish(qos: qos),
            hops: random.chance(0.6) ? 0 : UInt8.random(in: .min ... .max, using: &random)
        )
    }

    mutating func publish(qos: QoS) -> MQTTPacket.Publish {
        var properties = MQTTProperties(self.properties())
        var topic = mqttString(allowingWildcards: false)
        if topic.isEmpty {
            // 5.0 §3.3.2.1: an empty topic name is valid only with a Topic Alias.
            if properties.topicAlias == nil {
                properties.append(.topicAlias(UInt16.random(in: 1 ... .max, using: &random)))
            }
            if random.chance(0.5) { topic = "t" }
        }
        let payloadCount = random.chance(0.1) ? 0 : random.count(upTo: sizes.payloadBytes)
        return MQTTPacket.Publish(
            topic: topic,
            payload: ByteBuffer(bytes: random.bytes(count: payloadCount)),
            qos: qos,
            retain: random.chance(0.3),
            // [MQTT-3.3.1-2] DUP is 0 at QoS 0.
            dup: qos != .atMostOnce && random.chance(0.2),
            // [MQTT-2.2.1-3] a non-zero packet identifier at QoS 1 and 2, none at QoS 0.
            packetID: qos == .atMostOnce ? nil : UInt16.random(in: 1 ... .max, using: &random),
            properties: properties
        )
    }

    /// PUBLISH properties in random order: each at most once except User Property and Subscription Identifier.
    mutating func properties() -> [MQTTProperty] {
        var properties: [MQTTProperty] = []
        if random.chance(0.3) { properties.append(.payloadFormatIndicator(random.pick([0, 1]))) }
        if random.chance(0.3) { properties.append(.messageExpiryInterval(random.pick([0, 1, 3600, .max]))) }
        if random.chance(0.3) { properties.append(.contentType(mqttString(allowingWildcards: true))) }
        if random.chance(0.3) { properties.append(.responseTopic(nonEmptyTopic())) }
        if random.chance(0.3) {
            properties.append(.correlationData(ByteBuffer(bytes: random.bytes(count: random.count(upTo: 24)))))
        }
        if random.chance(0.2) { properties.append(.topicAlias(UInt16.random(in: 1 ... .max, using: &random))) }
        for _ in 0..<random.count(upTo: 2) {
            properties.append(.subscriptionIdentifier(random.pick([1, 127, 128, 16_383, 16_384, 268_435_455])))
        }
        let names = (0..<max(1, sizes.userProperties / 2)).map { _ in mqttString(allowingWildcards: true) }
        for _ in 0..<random.count(upTo: sizes.userProperties) {
            // Names repeat on purpose: [MQTT-3.3.2-17] keeps every pair, in order.
            properties.append(.userProperty(name: random.pick(names), value: mqttString(allowingWildcards: true)))
        }
        properties.shuffle(using: &random)
        return properties
    }

    mutating func nonEmptyTopic() -> String {
        let topic = mqttString(allowingWildcards: false)
        return topic.isEmpty ? "reply/\u{00E9}" : topic
    }

    /// Any UTF-8 the peer codec carries, U+0000 included; empty a tenth of the time.
    mutating func string() -> String {
        if random.chance(0.1) { return "" }
        var scalars = String.UnicodeScalarView()
        for _ in 0..<random.int(in: 1...sizes.stringScalars) { scalars.append(scalar()) }
        return String(scalars)
    }

    /// A string an MQTT decoder accepts: no U+0000 [MQTT-1.5.4-2] and, for topic names, no `+` or
    /// `#` [MQTT-3.3.2-2].
    mutating func mqttString(allowingWildcards: Bool) -> String {
        if random.chance(0.1) { return "" }
        var scalars = String.UnicodeScalarView()
        let count = random.int(in: 1...sizes.stringScalars)
        while scalars.count < count {
            let scalar = scalar()
            if scalar == "\0" { continue }
            if !allowingWildcards, scalar == "+" || scalar == "#" { continue }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// A Unicode scalar of 1 to 4 UTF-8 bytes, topic separators and combining marks often.
    mutating func scalar() -> Unicode.Scalar {
        let value: UInt32 =
            switch random.int(in: 0...9) {
            case 0: random.pick([0x2F, 0x2B, 0x23, 0x24, 0x20, 0x00])  // / + # $ space NUL
            case 1: random.pick([0x0301, 0x0308, 0x200D, 0xFE0F])  // combining marks, ZWJ, variation selector
            case 2: UInt32.random(in: 0x80...0x7FF, using: &random)
            case 3: random.pick([UInt32.random(in: 0x800...0xD7FF, using: &random), 0xE000, 0xFFFD, 0xFFFF])
            case 4: UInt32.random(in: 0x1_0000...0x10_FFFF, using: &random)
            default: UInt32.random(in: 0x21...0x7E, using: &random)
            }
        return Unicode.Scalar(value)!
    }
}
