import Broker
import ClusterProtocol
import MQTTCodec
import NIOCore
import Topics

/// A session between its broker form and its frames. Messages keep their origin, so the new holder can
/// drop second copies; expired ones are left behind.
extension SessionSnapshot {
    /// The session as handoff parts of about `partBytes` of payload each: the first carries everything but
    /// the messages that did not fit it, the rest carry only messages.
    func wireParts(partBytes: Int = 1 << 20) -> [PeerFrame.SessionState] {
        let now = NIODeadline.now()
        let first = PeerFrame.SessionState(
            subscriptions: subscriptions.map {
                .init(
                    filter: $0.filter,
                    options: $0.entry.options,
                    subscriptionIdentifier: $0.entry.subscriptionIdentifier
                )
            },
            awaitingRelease: awaitingRelease,
            lastPacketID: outbound.lastPacketID,
            expiryInterval: expiryInterval,
            will: will.map { Self.wire($0) },
            claimedAt: claimedAt
        )
        var parts: [PeerFrame.SessionState] = []
        var current = first
        var bytes = 0
        for entry in outbound.inflight {
            guard let delivery = Self.wire(entry.delivery, now: now) else { continue }
            Self.closePartIfFull(adding: delivery, current: &current, parts: &parts, bytes: &bytes, limit: partBytes)
            current.inflight.append(.init(packetID: entry.packetID, stage: Self.stage(entry.state), delivery: delivery))
        }
        for queued in outbound.queued {
            guard let delivery = Self.wire(queued, now: now) else { continue }
            Self.closePartIfFull(adding: delivery, current: &current, parts: &parts, bytes: &bytes, limit: partBytes)
            current.queued.append(delivery)
        }
        parts.append(current)
        return parts
    }

    private static func closePartIfFull(
        adding delivery: PeerFrame.Delivery,
        current: inout PeerFrame.SessionState,
        parts: inout [PeerFrame.SessionState],
        bytes: inout Int,
        limit: Int
    ) {
        let size = delivery.publish.payload.readableBytes + delivery.publish.topic.utf8.count + 64
        if bytes > 0, bytes + size > limit {
            parts.append(current)
            current = PeerFrame.SessionState()
            bytes = 0
        }
        bytes += size
    }

    /// Reassembles a session from the parts of one handoff.
    init(clientID: String, parts: [PeerFrame.SessionState]) {
        let now = NIODeadline.now()
        let head = parts.first ?? PeerFrame.SessionState()
        var inflight: [(packetID: UInt16, state: OutboundFlow.InflightState, delivery: OutboundFlow.Delivery)] = []
        var queued: [OutboundFlow.Delivery] = []
        for part in parts {
            for entry in part.inflight {
                guard let delivery = Self.delivery(from: entry.delivery, now: now) else { continue }
                inflight.append((entry.packetID, Self.state(entry.stage), delivery))
            }
            for wire in part.queued {
                if let delivery = Self.delivery(from: wire, now: now) { queued.append(delivery) }
            }
        }
        self.init(
            clientID: clientID,
            subscriptions: head.subscriptions.map {
                .init(
                    filter: $0.filter,
                    entry: SubscriptionEntry(options: $0.options, subscriptionIdentifier: $0.subscriptionIdentifier)
                )
            },
            awaitingRelease: head.awaitingRelease,
            outbound: .init(lastPacketID: head.lastPacketID, inflight: inflight, queued: queued),
            expiryInterval: head.expiryInterval,
            will: head.will.flatMap { Self.pendingWill(from: $0) }
        )
        self.claimedAt = head.claimedAt
    }

    // MARK: Pieces

    static func wire(_ delivery: OutboundFlow.Delivery, now: NIODeadline) -> PeerFrame.Delivery? {
        guard let publish = ClusterRouter.publish(from: delivery.message) else { return nil }
        return PeerFrame.Delivery(
            origin: ClusterRouter.origin(of: delivery.message),
            qos: delivery.qos,
            retain: delivery.retain,
            subscriptionIdentifiers: delivery.subscriptionIdentifiers,
            publish: publish
        )
    }

    static func delivery(from wire: PeerFrame.Delivery, now: NIODeadline) -> OutboundFlow.Delivery? {
        guard let message = ClusterRouter.message(from: wire.publish, origin: wire.origin, now: now) else { return nil }
        return OutboundFlow.Delivery(
            message: message,
            qos: wire.qos,
            retain: wire.retain,
            subscriptionIdentifiers: wire.subscriptionIdentifiers
        )
    }

    static func stage(_ state: OutboundFlow.InflightState) -> PeerFrame.SessionState.InflightDelivery.Stage {
        switch state {
        case .awaitingPubAck: .awaitingPubAck
        case .awaitingPubRec: .awaitingPubRec
        case .awaitingPubComp: .awaitingPubComp
        }
    }

    static func state(_ stage: PeerFrame.SessionState.InflightDelivery.Stage) -> OutboundFlow.InflightState {
        switch stage {
        case .awaitingPubAck: .awaitingPubAck
        case .awaitingPubRec: .awaitingPubRec
        case .awaitingPubComp: .awaitingPubComp
        }
    }

    static func wire(_ pending: PendingWill) -> PeerFrame.SessionState.PendingWill {
        let will = pending.will
        var properties = will.properties
        properties.messageExpiryInterval = will.messageExpiryInterval
        let publish = MQTTPacket.Publish(
            topic: will.topic.string,
            payload: will.payload,
            qos: will.qos,
            retain: will.retain,
            packetID: will.qos == .atMostOnce ? nil : 1,
            properties: properties
        )
        return PeerFrame.SessionState.PendingWill(publish: publish, delay: pending.delay)
    }

    static func pendingWill(from wire: PeerFrame.SessionState.PendingWill) -> PendingWill? {
        guard let topic = try? TopicName(validating: wire.publish.topic) else { return nil }
        var properties = wire.publish.properties
        let expiry = properties.messageExpiryInterval
        properties.messageExpiryInterval = nil
        let will = WillMessage(
            topic: topic,
            payload: wire.publish.payload,
            qos: wire.publish.qos,
            retain: wire.publish.retain,
            properties: properties,
            delayInterval: wire.delay,
            messageExpiryInterval: expiry
        )
        return PendingWill(will: will, delay: wire.delay)
    }
}
