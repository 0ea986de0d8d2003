/// What one subscriber connection received from one publisher, judged by sequence number.
public struct SequenceStream: Sendable, Equatable {
    /// How an arrival relates to what the stream had seen.
    public enum Arrival: Sendable, Equatable {
        /// The next sequence after the highest seen (or the first arrival).
        case next
        /// Higher than expected: `skipped` sequences have not arrived (yet).
        case ahead(skipped: UInt64)
        /// Lower than the highest seen, and not seen before.
        case reordered
        /// Seen before.
        case duplicate
        /// Too far from the others to track (a foreign or corrupt payload); not counted.
        case outOfRange
    }

    /// Every arrival, duplicates included.
    public private(set) var received: UInt64 = 0
    public private(set) var duplicated: UInt64 = 0
    public private(set) var reordered: UInt64 = 0
    public private(set) var lowest: UInt64?
    public private(set) var highest: UInt64?
    public private(set) var seen = SequenceBitSet()

    public init() {}

    /// Distinct sequences received.
    public var unique: UInt64 { seen.count }

    /// The sequences from the lowest to the highest seen: what should have arrived when the
    /// publisher's own count is not known.
    public var span: UInt64 {
        guard let lowest, let highest else { return 0 }
        return highest - lowest + 1
    }

    public mutating func record(sequence: UInt64) -> Arrival {
        switch seen.insert(sequence) {
        case .outOfRange:
            return .outOfRange
        case .alreadyPresent:
            received += 1
            duplicated += 1
            return .duplicate
        case .inserted:
            received += 1
            lowest = min(lowest ?? sequence, sequence)
            guard let previous = highest else {
                highest = sequence
                return .next
            }
            if sequence < previous {
                reordered += 1
                return .reordered
            }
            highest = sequence
            return sequence == previous + 1 ? .next : .ahead(skipped: sequence - previous - 1)
        }
    }
}

/// Everything one subscriber connection received, stream by stream.
public struct SubscriberAccounting: Sendable, Equatable {
    /// Beyond this many distinct publishers, arrivals are refused as out of range: the index comes
    /// from the payload, and a bound keeps a foreign publisher from growing the table.
    public let publisherLimit: UInt32
    public private(set) var streams: [UInt32: SequenceStream] = [:]
    /// Arrivals whose payload was too short for the header or whose sequence was out of range.
    public private(set) var malformed: UInt64 = 0

    public init(publisherLimit: UInt32 = 1 << 20) {
        self.publisherLimit = publisherLimit
    }

    public mutating func record(publisher: UInt32, sequence: UInt64) -> SequenceStream.Arrival {
        guard publisher < publisherLimit else {
            malformed += 1
            return .outOfRange
        }
        let arrival = streams[publisher, default: SequenceStream()].record(sequence: sequence)
        if arrival == .outOfRange { malformed += 1 }
        return arrival
    }

    public mutating func recordMalformedPayload() {
        malformed += 1
    }
}
