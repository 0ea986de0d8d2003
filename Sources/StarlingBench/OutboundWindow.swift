import MQTTCodec

/// The publisher's unacknowledged QoS 1 and 2 publishes, by packet identifier (5.0 §4.3.2, §4.3.3).
///
/// It allocates identifiers, bounds how many are outstanding, and answers each acknowledgement
/// with what the connection must do. It keeps each publish's send time so that completing one
/// reports its acknowledgement latency.
public struct OutboundWindow: Sendable {
    public enum Stage: Sendable, Equatable {
        case awaitingPubAck
        case awaitingPubRec
        case awaitingPubComp
    }

    struct Entry: Sendable {
        var stage: Stage
        let sentAt: UInt64
    }

    /// What the connection does with an acknowledgement.
    public enum AcknowledgementAction: Sendable, Equatable {
        /// The flow is over: free the slot. `accepted` is false when the server refused the
        /// message (reason code 0x80 or above).
        case complete(latencyNanoseconds: UInt64, accepted: Bool)
        case sendPubRel(packetID: UInt16)
        /// The acknowledgement does not fit an outstanding publish: close the connection.
        case protocolViolation(String)
    }

    /// At most this many publishes are outstanding.
    public private(set) var capacity: Int
    private var entries: [UInt16: Entry] = [:]
    private var nextPacketID: UInt16 = 1

    public init(capacity: Int) {
        precondition((1...65_535).contains(capacity), "a window holds 1...65535 packet identifiers")
        self.capacity = capacity
        entries.reserveCapacity(capacity)
    }

    public var count: Int { entries.count }
    public var isFull: Bool { entries.count >= capacity }
    public var freeSlots: Int { max(0, capacity - entries.count) }

    /// Lowers the capacity to the server's Receive Maximum.
    public mutating func limit(toReceiveMaximum receiveMaximum: UInt16) {
        // [MQTT-3.3.4-7] the client does not send more unacknowledged QoS 1/2 publishes than the
        // server's Receive Maximum.
        capacity = max(1, min(capacity, Int(receiveMaximum)))
    }

    /// Takes a free packet identifier for a publish sent at `now`, or `nil` when the window is full.
    public mutating func open(qos: QoS, now: UInt64) -> UInt16? {
        precondition(qos != .atMostOnce, "QoS 0 publishes have no packet identifier")
        guard !isFull else { return nil }
        // The window is below 65,535, so a free identifier is found; identifiers are never 0.
        while entries[nextPacketID] != nil {
            nextPacketID = nextPacketID == .max ? 1 : nextPacketID + 1
        }
        let id = nextPacketID
        nextPacketID = nextPacketID == .max ? 1 : nextPacketID + 1
        entries[id] = Entry(stage: qos == .atLeastOnce ? .awaitingPubAck : .awaitingPubRec, sentAt: now)
        return id
    }

    public func stage(of packetID: UInt16) -> Stage? { entries[packetID]?.stage }

    public mutating func receivedPubAck(_ packetID: UInt16, reasonCode: ReasonCode, now: UInt64)
        -> AcknowledgementAction
    {
        guard let entry = entries[packetID], entry.stage == .awaitingPubAck else {
            return .protocolViolation("PUBACK for packet identifier \(packetID), which awaits no PUBACK")
        }
        entries[packetID] = nil
        return .complete(latencyNanoseconds: elapsed(since: entry.sentAt, now: now), accepted: !reasonCode.isFailure)
    }

    public mutating func receivedPubRec(_ packetID: UInt16, reasonCode: ReasonCode, now: UInt64)
        -> AcknowledgementAction
    {
        guard let entry = entries[packetID] else {
            return .protocolViolation("PUBREC for packet identifier \(packetID), which is not in flight")
        }
        switch entry.stage {
        case .awaitingPubAck:
            return .protocolViolation("PUBREC for packet identifier \(packetID), a QoS 1 publish")
        case .awaitingPubRec:
            if reasonCode.isFailure {
                // A refused QoS 2 publish ends at the PUBREC: no PUBREL follows (5.0 §4.3.3).
                entries[packetID] = nil
                return .complete(latencyNanoseconds: elapsed(since: entry.sentAt, now: now), accepted: false)
            }
            // [MQTT-4.3.3-4] answer a PUBREC below 0x80 with a PUBREL of the same identifier.
            entries[packetID]?.stage = .awaitingPubComp
            return .sendPubRel(packetID: packetID)
        case .awaitingPubComp:
            // The PUBREL may not have arrived yet; sending it again is harmless.
            return .sendPubRel(packetID: packetID)
        }
    }

    public mutating func receivedPubComp(_ packetID: UInt16, now: UInt64) -> AcknowledgementAction {
        guard let entry = entries[packetID], entry.stage == .awaitingPubComp else {
            return .protocolViolation("PUBCOMP for packet identifier \(packetID), which awaits no PUBCOMP")
        }
        entries[packetID] = nil
        return .complete(latencyNanoseconds: elapsed(since: entry.sentAt, now: now), accepted: true)
    }

    private func elapsed(since start: UInt64, now: UInt64) -> UInt64 {
        now > start ? now - start : 0
    }
}
