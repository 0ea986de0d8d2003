import MQTTCodec

/// The receiving side of QoS 1 and 2 for a subscriber (5.0 §4.3.2, §4.3.3, method B: the
/// message is delivered on PUBLISH and the identifier is held until PUBREL).
public struct InboundFlow: Sendable {
    public enum PublishAction: Sendable, Equatable {
        case deliver
        case deliverAndSendPubAck(packetID: UInt16)
        case deliverAndSendPubRec(packetID: UInt16)
        /// A QoS 2 publish whose identifier still awaits PUBREL: acknowledge, do not deliver again.
        case sendPubRec(packetID: UInt16)
        case protocolViolation(String)
    }

    public enum PubRelAction: Sendable, Equatable {
        case sendPubComp(packetID: UInt16, reasonCode: ReasonCode)
    }

    /// Identifiers of QoS 2 publishes answered with PUBREC and not yet released. Bounded by the
    /// 65,535 identifiers a server can use.
    private var awaitingRelease: Set<UInt16> = []

    public init() {}

    public var pendingReleases: Int { awaitingRelease.count }

    public mutating func receivedPublish(qos: QoS, packetID: UInt16?) -> PublishAction {
        switch qos {
        case .atMostOnce:
            return .deliver
        case .atLeastOnce:
            guard let packetID else { return .protocolViolation("QoS 1 PUBLISH without a packet identifier") }
            // [MQTT-4.3.2-4] answer a QoS 1 PUBLISH with a PUBACK of the same identifier.
            return .deliverAndSendPubAck(packetID: packetID)
        case .exactlyOnce:
            guard let packetID else { return .protocolViolation("QoS 2 PUBLISH without a packet identifier") }
            // [MQTT-4.3.3-10] until PUBREL, a PUBLISH with the same identifier is acknowledged
            // again but not delivered again.
            guard awaitingRelease.insert(packetID).inserted else { return .sendPubRec(packetID: packetID) }
            // [MQTT-4.3.3-8] answer a QoS 2 PUBLISH with a PUBREC of the same identifier.
            return .deliverAndSendPubRec(packetID: packetID)
        }
    }

    public mutating func receivedPubRel(packetID: UInt16) -> PubRelAction {
        // [MQTT-4.3.3-11] answer a PUBREL with a PUBCOMP of the same identifier; 5.0 says which
        // identifiers were unknown.
        let known = awaitingRelease.remove(packetID) != nil
        return .sendPubComp(packetID: packetID, reasonCode: known ? .success : .packetIdentifierNotFound)
    }
}
