/// A hybrid logical clock (Kulkarni, Demirbas, Madappa, Avva, Leone, "Logical Physical Clocks and Consistent
/// Snapshots in Globally Distributed Databases", OPODIS 2014): timestamps that stay close to wall-clock time
/// yet never go backwards, and that order every event after the events it has heard of.
///
/// A timestamp is the wall time in milliseconds since the Unix epoch (`l` in the paper) and a logical counter
/// (`c`) that orders events within one millisecond, or while the wall clock lags behind a timestamp already
/// seen. The clock is a value: the wall time is a parameter of every input, so tests drive it by hand.
///
/// Deviations from the paper:
/// - The paper bounds how far a remote timestamp may run ahead of the local wall clock (ε) and rejects
///   messages beyond it. Retained updates must be applied whatever their stamp, so every remote timestamp is
///   merged. A node whose wall clock runs ahead therefore wins ties of concurrent writes until the others'
///   wall clocks catch up, and pulls their clocks forward meanwhile.
/// - `c` is 32 bits. Should it overflow, the clock moves to the next millisecond with `c = 0`, which keeps
///   timestamps strictly increasing.
public struct HybridLogicalClock: Sendable, Equatable {
    public struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
        /// Milliseconds since the Unix epoch, as far as the clock knows.
        public var wallMilliseconds: UInt64
        /// Orders events that share `wallMilliseconds`.
        public var logical: UInt32

        public init(wallMilliseconds: UInt64, logical: UInt32) {
            self.wallMilliseconds = wallMilliseconds
            self.logical = logical
        }

        public static let zero = Timestamp(wallMilliseconds: 0, logical: 0)

        public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
            (lhs.wallMilliseconds, lhs.logical) < (rhs.wallMilliseconds, rhs.logical)
        }

        /// The smallest timestamp after this one.
        var successor: Timestamp {
            if logical == .max { return Timestamp(wallMilliseconds: wallMilliseconds &+ 1, logical: 0) }
            return Timestamp(wallMilliseconds: wallMilliseconds, logical: logical + 1)
        }

        public var description: String { "\(wallMilliseconds).\(logical)" }
    }

    /// The latest timestamp this clock has issued or merged.
    public private(set) var last: Timestamp

    public init(last: Timestamp = .zero) {
        self.last = last
    }

    /// The timestamp of a local event (a send, in the paper) when the wall clock reads `wallMilliseconds`:
    /// the wall time if it is ahead of everything seen, else one logical step past the latest timestamp.
    public mutating func now(wallMilliseconds: UInt64) -> Timestamp {
        if wallMilliseconds > last.wallMilliseconds {
            last = Timestamp(wallMilliseconds: wallMilliseconds, logical: 0)
        } else {
            last = last.successor
        }
        return last
    }

    /// Merges a timestamp heard from another node, and returns the timestamp of the receive event: later than
    /// both the remote timestamp and everything this clock issued before.
    @discardableResult
    public mutating func receive(_ remote: Timestamp, wallMilliseconds: UInt64) -> Timestamp {
        // The paper's four cases in one: take the later of the two, then tick as for a local event.
        last = max(last, remote)
        return now(wallMilliseconds: wallMilliseconds)
    }
}

/// The version of a retained entry: the hybrid logical clock timestamp of the write, and the node it was made
/// on. Later versions win (last writer wins); concurrent writes with the same timestamp are ordered by the
/// node name, compared as UTF-8 bytes, so every node picks the same winner.
public struct RetainedVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var timestamp: HybridLogicalClock.Timestamp
    /// The name of the node the write was made on.
    public var origin: String

    public init(timestamp: HybridLogicalClock.Timestamp, origin: String) {
        self.timestamp = timestamp
        self.origin = origin
    }

    public static func < (lhs: RetainedVersion, rhs: RetainedVersion) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        return lhs.origin.utf8.lexicographicallyPrecedes(rhs.origin.utf8)
    }

    // Bytes, not Unicode equivalence, so `==` agrees with `<`.
    public static func == (lhs: RetainedVersion, rhs: RetainedVersion) -> Bool {
        lhs.timestamp == rhs.timestamp && lhs.origin.utf8.elementsEqual(rhs.origin.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestamp)
        for byte in origin.utf8 { hasher.combine(byte) }
    }

    public var description: String { "\(timestamp)@\(origin)" }
}
