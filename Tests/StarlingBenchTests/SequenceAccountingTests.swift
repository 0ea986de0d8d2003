import StarlingTestKit
import Testing

@testable import StarlingBench

@Suite("Sequence accounting")
struct SequenceAccountingTests {
    @Test func record_classifiesEachArrival_relativeToWhatWasSeen() {
        var stream = SequenceStream()
        #expect(stream.record(sequence: 0) == .next)
        #expect(stream.record(sequence: 1) == .next)
        #expect(stream.record(sequence: 4) == .ahead(skipped: 2))
        #expect(stream.record(sequence: 2) == .reordered)
        #expect(stream.record(sequence: 2) == .duplicate)
        #expect(stream.record(sequence: 4) == .duplicate)
        #expect(stream.record(sequence: 5) == .next)
        #expect(stream.received == 7)
        #expect(stream.unique == 5)
        #expect(stream.duplicated == 2)
        #expect(stream.reordered == 1)
        #expect(stream.span == 6)  // 0...5, of which 3 never arrived
    }

    @Test func record_countsNoReordering_whenTheFirstArrivalIsNotZero() {
        var stream = SequenceStream()
        #expect(stream.record(sequence: 1_000) == .next)
        #expect(stream.record(sequence: 1_001) == .next)
        #expect(stream.span == 2)
        #expect(stream.reordered == 0)
    }

    @Test func record_countsReorderedArrivals_belowTheFirstOne() {
        var stream = SequenceStream()
        _ = stream.record(sequence: 200)
        #expect(stream.record(sequence: 10) == .reordered)
        #expect(stream.lowest == 10)
        #expect(stream.span == 191)
    }

    @Test func record_refusesASequence_whenItWouldStretchTheSetPastItsSpan() {
        var stream = SequenceStream()
        _ = stream.record(sequence: 0)
        #expect(stream.record(sequence: SequenceBitSet.maximumSpan + 64) == .outOfRange)
        #expect(stream.received == 1)
        #expect(stream.highest == 0)
    }

    @Test func record_findsEveryLossDuplicateAndReorder_whenArrivalsAreShuffled() {
        let seed: UInt64 = 0x5EED
        var generator = SeededGenerator(seed: seed)
        let sent = 5_000
        var arrivals: [UInt64] = []
        var lost = Set<UInt64>()
        var duplicates = 0
        for sequence in 0..<UInt64(sent) {
            switch generator.next() % 20 {
            case 0: lost.insert(sequence)
            case 1:
                arrivals.append(sequence)
                arrivals.append(sequence)
                duplicates += 1
            default: arrivals.append(sequence)
            }
        }
        // Swap some neighbours: each swap delivers one sequence after a higher one.
        var index = 0
        while index + 1 < arrivals.count {
            if generator.next() % 10 == 0, arrivals[index] != arrivals[index + 1] {
                arrivals.swapAt(index, index + 1)
                index += 2
            } else {
                index += 1
            }
        }
        // The reference: what a plain scan with a set says.
        var seen = Set<UInt64>()
        var highest: UInt64?
        var expectedReordered: UInt64 = 0
        var stream = SequenceStream()
        for sequence in arrivals {
            if !seen.contains(sequence), let top = highest, sequence < top { expectedReordered += 1 }
            seen.insert(sequence)
            highest = max(highest ?? sequence, sequence)
            _ = stream.record(sequence: sequence)
        }
        #expect(stream.unique == UInt64(sent - lost.count), "seed \(seed)")
        #expect(stream.duplicated == UInt64(duplicates), "seed \(seed)")
        #expect(stream.reordered == expectedReordered, "seed \(seed)")
        #expect(expectedReordered > 0, "the scenario should reorder something, seed \(seed)")
    }

    @Test func subscriberAccounting_keepsStreamsApart_perPublisher() {
        var accounting = SubscriberAccounting(publisherLimit: 4)
        #expect(accounting.record(publisher: 0, sequence: 0) == .next)
        #expect(accounting.record(publisher: 1, sequence: 0) == .next)
        #expect(accounting.record(publisher: 1, sequence: 0) == .duplicate)
        #expect(accounting.streams[0]?.unique == 1)
        #expect(accounting.streams[1]?.duplicated == 1)
    }

    @Test func subscriberAccounting_countsMalformed_whenThePublisherIndexIsBeyondTheLimit() {
        var accounting = SubscriberAccounting(publisherLimit: 2)
        #expect(accounting.record(publisher: 2, sequence: 0) == .outOfRange)
        accounting.recordMalformedPayload()
        #expect(accounting.malformed == 2)
        #expect(accounting.streams.isEmpty)
    }

    @Test func bitSet_unionCountsEachMemberOnce_whenSetsOverlapAndHaveDifferentBases() {
        var left = SequenceBitSet()
        var right = SequenceBitSet()
        for sequence in stride(from: UInt64(500), to: 700, by: 1) { _ = left.insert(sequence) }
        for sequence in stride(from: UInt64(0), to: 600, by: 2) { _ = right.insert(sequence) }
        let fits = left.formUnion(right)
        #expect(fits)
        // 500..<700 (200) plus the even numbers below 500 (250).
        #expect(left.count == 450)
        #expect(left.contains(0) && left.contains(498) && left.contains(699))
        #expect(!left.contains(499) && !left.contains(700))
    }
}
