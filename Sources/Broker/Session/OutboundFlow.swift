import MQTTCodec
import NIOCore

/// Outbound delivery state of one session: the inflight window, the bounded queue behind
/// it, and packet identifier allocation. Pure: it decides, the session performs.
///
/// QoS 1 and 2 messages take a packet identifier and a window slot; once the window
/// (the client's Receive Maximum, capped by the broker) is full they wait in the queue
/// [MQTT-4.9.0-2]. QoS 0 messages never wait for the window; they are sent at once when
/// the client is connected and are not kept for an offline session.
public struct OutboundFlow {
    /// One message as this subscriber will receive it.
    public struct Delivery: Sendable {
        public var message: Message
        /// min(message QoS, subscription QoS) [MQTT-3.8.4-8].
        public var qos: QoS
        /// The RETAIN flag this subscriber sees (retain-as-published, or set for retained replays).
        public var retain: Bool
        public var subscriptionIdentifiers: [UInt32]

        public init(message: Message, qos: QoS, retain: Bool, subscriptionIdentifiers: [UInt32] = []) {
            self.message = message
            self.qos = qos
            self.retain = retain
            self.subscriptionIdentifiers = subscriptionIdentifiers
        }
    }

    public enum InflightState: Equatable, Sendable {
        case awaitingPubAck
        case awaitingPubRec
        /// After PUBREC the message itself is done; only PUBREL/PUBCOMP remain.
        case awaitingPubComp
    }

    struct InflightEntry {
        var delivery: Delivery
        var state: InflightState
    }

    public enum SubmitAction {
        /// Send now; `packetID` is nil for QoS 0.
        case send(packetID: UInt16?, Delivery)
        case queued
        case dropped(DropReason)
    }

    public enum AcknowledgementAction: Equatable {
        case released
        /// PUBREC accepted: answer with PUBREL.
        case sendPubRel(UInt16)
        /// The identifier is not inflight in the state this acknowledgement needs.
        case unknownPacketID
    }

    public enum Resend {
        case publish(packetID: UInt16, Delivery)
        case pubRel(packetID: UInt16)
    }

    private var inflight: [UInt16: InflightEntry] = [:]
    /// Inflight identifiers in the order they were sent, for in-order redelivery [MQTT-4.6.0-1].
    private var inflightOrder = DeferredQueue<UInt16>()
    private var queue = DeferredQueue<Delivery>()
    private var lastPacketID: UInt16 = 0

    /// Current window: min(client Receive Maximum, broker cap). Set on every connection.
    public var window: Int
    public let queueCapacity: Int
    public let queueFullPolicy: BrokerSettings.QueueFullPolicy

    public init(window: Int, queueCapacity: Int, queueFullPolicy: BrokerSettings.QueueFullPolicy) {
        self.window = max(1, window)
        self.queueCapacity = max(1, queueCapacity)
        self.queueFullPolicy = queueFullPolicy
    }

    public var inflightCount: Int { inflight.count }
    public var queuedCount: Int { queue.count }

    /// Offers a message to the session. `online` is whether a connection can take it now.
    public mutating func submit(_ delivery: Delivery, online: Bool) -> SubmitAction {
        if delivery.qos == .atMostOnce {
            return online ? .send(packetID: nil, delivery) : .dropped(.offlineQoS0)
        }
        if online, queue.isEmpty, inflight.count < window {
            return .send(packetID: takeSlot(for: delivery), delivery)
        }
        if queue.count >= queueCapacity {
            switch queueFullPolicy {
            case .dropNewest:
                return .dropped(.queueFull)
            case .dropOldest:
                queue.removeFirst()
                queue.append(delivery)
                return .dropped(.queueFull)
            }
        }
        queue.append(delivery)
        return .queued
    }

    /// Moves the next queued message into the window, if there is room. Expired messages
    /// are skipped and reported through `dropped`.
    public mutating func nextQueued(now: NIODeadline, dropped: (DropReason) -> Void) -> (UInt16, Delivery)? {
        while inflight.count < window, let delivery = queue.popFirst() {
            if delivery.message.isExpired(at: now) {
                dropped(.expired)
                continue
            }
            return (takeSlot(for: delivery), delivery)
        }
        return nil
    }

    /// Queued QoS 1/2 messages that could not be sent (e.g. too large for the client) give
    /// their slot back.
    public mutating func abandon(packetID: UInt16) {
        if inflight.removeValue(forKey: packetID) != nil {
            removeFromOrder(packetID)
        }
    }

    public mutating func receivedPubAck(_ packetID: UInt16) -> AcknowledgementAction {
        guard inflight[packetID]?.state == .awaitingPubAck else { return .unknownPacketID }
        abandon(packetID: packetID)
        return .released
    }

    /// A PUBREC with a failure reason code ends the exchange without PUBREL [MQTT-4.3.3-… 5.0 §4.3.3].
    public mutating func receivedPubRec(_ packetID: UInt16, reasonCode: ReasonCode) -> AcknowledgementAction {
        guard let entry = inflight[packetID], entry.state != .awaitingPubAck else { return .unknownPacketID }
        if reasonCode.isFailure {
            abandon(packetID: packetID)
            return .released
        }
        inflight[packetID]?.state = .awaitingPubComp
        return .sendPubRel(packetID)
    }

    public mutating func receivedPubComp(_ packetID: UInt16) -> AcknowledgementAction {
        guard inflight[packetID]?.state == .awaitingPubComp else { return .unknownPacketID }
        abandon(packetID: packetID)
        return .released
    }

    /// Everything unacknowledged, in original order, to resend when a session resumes:
    /// PUBLISH with DUP set, or PUBREL for messages already PUBREC'd [MQTT-4.4.0-1].
    public func resends() -> [Resend] {
        inflightOrder.compactMap { id in
            guard let entry = inflight[id] else { return nil }
            switch entry.state {
            case .awaitingPubAck, .awaitingPubRec: return .publish(packetID: id, entry.delivery)
            case .awaitingPubComp: return .pubRel(packetID: id)
            }
        }
    }

    /// Everything unacknowledged and queued, for a session moving to another node.
    public func snapshot() -> Snapshot {
        Snapshot(
            lastPacketID: lastPacketID,
            inflight: inflightOrder.compactMap { id in
                inflight[id].map { (packetID: id, state: $0.state, delivery: $0.delivery) }
            },
            queued: queue.elements
        )
    }

    public struct Snapshot: Sendable {
        public var lastPacketID: UInt16
        public var inflight: [(packetID: UInt16, state: InflightState, delivery: Delivery)]
        public var queued: [Delivery]

        public init(
            lastPacketID: UInt16 = 0,
            inflight: [(packetID: UInt16, state: InflightState, delivery: Delivery)] = [],
            queued: [Delivery] = []
        ) {
            self.lastPacketID = lastPacketID
            self.inflight = inflight
            self.queued = queued
        }
    }

    /// Takes over a moved session's state: its inflight messages keep their packet identifiers (the client
    /// may already hold them) and are resent on attach; queued ones follow. Only on an empty flow. Returns
    /// how many queued messages did not fit the queue (dropped by its policy).
    public mutating func restore(_ snapshot: Snapshot) -> Int {
        precondition(inflight.isEmpty && queue.isEmpty, "restore into a fresh flow only")
        lastPacketID = snapshot.lastPacketID
        for entry in snapshot.inflight where inflight[entry.packetID] == nil {
            inflight[entry.packetID] = InflightEntry(delivery: entry.delivery, state: entry.state)
            inflightOrder.append(entry.packetID)
        }
        var dropped = 0
        for delivery in snapshot.queued {
            if case .dropped = submit(delivery, online: false) { dropped += 1 }
        }
        return dropped
    }

    /// Drops QoS 1/2 state when a session ends, returning how many messages were lost.
    public mutating func removeAll() -> Int {
        let lost = inflight.count + queue.count
        inflight.removeAll()
        inflightOrder.removeAll()
        queue.removeAll()
        return lost
    }

    private mutating func takeSlot(for delivery: Delivery) -> UInt16 {
        let id = allocatePacketID()
        inflight[id] = InflightEntry(
            delivery: delivery,
            state: delivery.qos == .atLeastOnce ? .awaitingPubAck : .awaitingPubRec
        )
        inflightOrder.append(id)
        return id
    }

    /// The next identifier not in use. The window is at most 65,535, so one is always free.
    private mutating func allocatePacketID() -> UInt16 {
        repeat {
            lastPacketID = lastPacketID == .max ? 1 : lastPacketID + 1
        } while inflight[lastPacketID] != nil
        return lastPacketID
    }

    private mutating func removeFromOrder(_ packetID: UInt16) {
        if inflightOrder.first == packetID {
            inflightOrder.removeFirst()
        } else {
            inflightOrder.remove(packetID)
        }
    }
}

/// Why a message did not reach a subscriber. Each reason has its own counter.
public enum DropReason: Int, Sendable, CaseIterable {
    case queueFull
    case offlineQoS0
    case expired
    case packetTooLarge
    case notWritable
    case sessionEnded
    /// A shared message passed between nodes too often because its chosen members kept leaving.
    case sharedHopLimit

    public var label: String {
        switch self {
        case .queueFull: "queue_full"
        case .offlineQoS0: "offline_qos0"
        case .expired: "expired"
        case .packetTooLarge: "packet_too_large"
        case .notWritable: "not_writable"
        case .sessionEnded: "session_ended"
        case .sharedHopLimit: "shared_hop_limit"
        }
    }
}
