/// The set of sequence numbers seen on one stream: one bit per sequence between the lowest and the
/// highest seen, so memory follows the span of the stream, not the number of arrivals.
///
/// The span is bounded (`maximumSpan` bits, 16 MiB): a sequence that would stretch it further is
/// refused rather than allocated for, since it can only come from a foreign or corrupt payload.
public struct SequenceBitSet: Sendable, Equatable {
    public static let maximumSpan: UInt64 = 1 << 27

    public enum InsertResult: Sendable, Equatable {
        case inserted
        case alreadyPresent
        case outOfRange
    }

    /// The sequence of bit 0 of `words[0]`; a multiple of 64.
    private var base: UInt64 = 0
    private var words: [UInt64] = []
    /// Members, kept so that counting is O(1).
    public private(set) var count: UInt64 = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public func contains(_ sequence: UInt64) -> Bool {
        guard sequence >= base else { return false }
        let word = (sequence - base) / 64
        guard word < UInt64(words.count) else { return false }
        return words[Int(word)] & (1 << ((sequence - base) % 64)) != 0
    }

    public mutating func insert(_ sequence: UInt64) -> InsertResult {
        guard makeRoom(for: sequence) else { return .outOfRange }
        let offset = sequence - base
        let mask: UInt64 = 1 << (offset % 64)
        let index = Int(offset / 64)
        if words[index] & mask != 0 { return .alreadyPresent }
        words[index] |= mask
        count += 1
        return .inserted
    }

    /// Adds every member of `other`; returns false (and changes nothing) when the union would exceed the span.
    public mutating func formUnion(_ other: SequenceBitSet) -> Bool {
        guard !other.words.isEmpty else { return true }
        guard !words.isEmpty else {
            self = other
            return true
        }
        guard makeRoom(for: other.base), makeRoom(for: other.base + UInt64(other.words.count) * 64 - 1) else {
            return false
        }
        let shift = Int((other.base - base) / 64)
        var added: UInt64 = 0
        for (index, word) in other.words.enumerated() {
            let new = word & ~words[shift + index]
            added += UInt64(new.nonzeroBitCount)
            words[shift + index] |= word
        }
        count += added
        return true
    }

    /// Grows the words so `sequence` has a bit; false when that would exceed `maximumSpan`.
    private mutating func makeRoom(for sequence: UInt64) -> Bool {
        let aligned = sequence & ~63
        if words.isEmpty {
            base = aligned
            words = [0]
            return true
        }
        let end = base + UInt64(words.count) * 64
        if sequence < base {
            guard end - aligned <= Self.maximumSpan else { return false }
            words.insert(contentsOf: repeatElement(0, count: Int((base - aligned) / 64)), at: 0)
            base = aligned
        } else if sequence >= end {
            guard aligned + 64 - base <= Self.maximumSpan else { return false }
            words.append(contentsOf: repeatElement(0, count: Int((aligned - end) / 64) + 1))
        }
        return true
    }
}
