import StarlingTestKit
import Testing

@testable import Broker

/// The clock is driven by hand: every input carries the wall time the test chooses.
@Suite("HybridLogicalClock")
struct HybridLogicalClockTests {
    typealias Timestamp = HybridLogicalClock.Timestamp

    private func stamp(_ wall: UInt64, _ logical: UInt32) -> Timestamp {
        Timestamp(wallMilliseconds: wall, logical: logical)
    }

    @Test func now_takesTheWallTime_whenItIsAhead() {
        var clock = HybridLogicalClock()
        #expect(clock.now(wallMilliseconds: 1_000) == stamp(1_000, 0))
        #expect(clock.now(wallMilliseconds: 1_005) == stamp(1_005, 0))
    }

    @Test func now_countsLogically_withinOneMillisecond() {
        var clock = HybridLogicalClock()
        #expect(clock.now(wallMilliseconds: 1_000) == stamp(1_000, 0))
        #expect(clock.now(wallMilliseconds: 1_000) == stamp(1_000, 1))
        #expect(clock.now(wallMilliseconds: 1_000) == stamp(1_000, 2))
        #expect(clock.now(wallMilliseconds: 1_001) == stamp(1_001, 0))
    }

    @Test func now_neverGoesBackwards_whenTheWallClockDoes() {
        var clock = HybridLogicalClock()
        #expect(clock.now(wallMilliseconds: 5_000) == stamp(5_000, 0))
        // An NTP step back of four seconds: the clock holds its wall part and counts on.
        #expect(clock.now(wallMilliseconds: 1_000) == stamp(5_000, 1))
        #expect(clock.now(wallMilliseconds: 4_999) == stamp(5_000, 2))
        // Once the wall clock passes the held time again, it takes over.
        #expect(clock.now(wallMilliseconds: 5_001) == stamp(5_001, 0))
    }

    @Test func receive_adoptsARemoteTimestampAhead_andLaterLocalEventsFollowIt() {
        var clock = HybridLogicalClock()
        _ = clock.now(wallMilliseconds: 1_000)
        // A peer whose clock runs a minute ahead.
        #expect(clock.receive(stamp(61_000, 7), wallMilliseconds: 1_001) == stamp(61_000, 8))
        let next = clock.now(wallMilliseconds: 1_002)
        #expect(next == stamp(61_000, 9))
        #expect(next > stamp(61_000, 7))
    }

    @Test func receive_keepsLocalTime_whenTheRemoteIsBehind() {
        var clock = HybridLogicalClock()
        _ = clock.now(wallMilliseconds: 9_000)
        #expect(clock.receive(stamp(3_000, 50), wallMilliseconds: 9_000) == stamp(9_000, 1))
    }

    @Test func receive_takesTheHigherCounter_whenBothShareTheWallTime() {
        var clock = HybridLogicalClock()
        _ = clock.now(wallMilliseconds: 2_000)
        _ = clock.now(wallMilliseconds: 2_000)  // 2000.1
        #expect(clock.receive(stamp(2_000, 5), wallMilliseconds: 1_999) == stamp(2_000, 6))
        #expect(clock.receive(stamp(2_000, 3), wallMilliseconds: 2_000) == stamp(2_000, 7))
    }

    @Test func receive_takesTheWallTime_whenItIsAheadOfBoth() {
        var clock = HybridLogicalClock()
        _ = clock.now(wallMilliseconds: 2_000)
        #expect(clock.receive(stamp(2_500, 9), wallMilliseconds: 3_000) == stamp(3_000, 0))
    }

    @Test func now_movesToTheNextMillisecond_whenTheCounterWouldOverflow() {
        var clock = HybridLogicalClock(last: stamp(7_000, .max))
        #expect(clock.now(wallMilliseconds: 7_000) == stamp(7_001, 0))
    }

    @Test func timestamps_strictlyIncrease_overRandomLocalAndRemoteEvents() {
        var random = SeededRandom(seed: 0x484C_43)
        var clock = HybridLogicalClock()
        var wall: UInt64 = 1_000_000
        var previous = Timestamp.zero
        for step in 0..<20_000 {
            // The wall clock mostly creeps forward, sometimes stands still or jumps back.
            wall = UInt64(Int64(wall) + Int64.random(in: -20...50, using: &random))
            let issued: Timestamp
            if random.chance(0.3) {
                let remote = stamp(
                    UInt64(Int64(wall) + Int64.random(in: -500...500, using: &random)),
                    random.pick([0, 3, 70])
                )
                issued = clock.receive(remote, wallMilliseconds: wall)
                #expect(issued > remote, "step \(step), seed \(random.seed)")
            } else {
                issued = clock.now(wallMilliseconds: wall)
                #expect(issued.wallMilliseconds >= wall, "step \(step), seed \(random.seed)")
            }
            #expect(issued > previous, "step \(step), seed \(random.seed)")
            previous = issued
        }
    }

    @Test func version_ordersByTimestamp_thenByOriginBytes() {
        let early = RetainedVersion(timestamp: stamp(10, 0), origin: "node-b")
        let late = RetainedVersion(timestamp: stamp(10, 1), origin: "node-a")
        #expect(early < late)
        let a = RetainedVersion(timestamp: stamp(10, 1), origin: "node-a")
        let b = RetainedVersion(timestamp: stamp(10, 1), origin: "node-b")
        #expect(a < b && !(b < a) && a != b)
        // UTF-8 bytes, not Unicode equivalence: a precomposed é (C3 A9) sorts after e + U+0301 (65 CC 81).
        let precomposed = RetainedVersion(timestamp: stamp(1, 0), origin: "n\u{E9}")
        let decomposed = RetainedVersion(timestamp: stamp(1, 0), origin: "ne\u{301}")
        #expect(precomposed != decomposed)
        #expect(decomposed < precomposed)
    }
}
