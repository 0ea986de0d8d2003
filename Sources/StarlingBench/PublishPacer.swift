/// How many messages a rate-limited publisher should have sent by a given time.
///
/// The schedule is cumulative from the start of the run, so a late tick catches up instead of
/// drifting: at elapsed time t the target is ⌊(t − phase) × rate⌋ + 1 (the first message goes at
/// t = phase). Publishers get phases spread over one message interval, so that N publishers at
/// rate r send N × r evenly rather than N messages at once every 1/r seconds.
public struct PublishPacer: Sendable, Equatable {
    /// Messages per second; more than 0.
    public let rate: Double
    /// Offset of this publisher's schedule, less than one message interval.
    public let phaseNanoseconds: UInt64

    public init(rate: Double, phaseNanoseconds: UInt64 = 0) {
        precondition(rate > 0 && rate.isFinite, "a paced publisher needs a positive rate")
        self.rate = rate
        self.phaseNanoseconds = phaseNanoseconds
    }

    /// The phase of publisher `index` out of `count`: evenly spread over one message interval.
    public static func phase(ofPublisher index: Int, of count: Int, rate: Double) -> UInt64 {
        guard count > 1 else { return 0 }
        return UInt64(1e9 / rate * Double(index % count) / Double(count))
    }

    /// Messages due in total after `elapsedNanoseconds`.
    public func target(elapsedNanoseconds: UInt64) -> UInt64 {
        guard elapsedNanoseconds >= phaseNanoseconds else { return 0 }
        return UInt64((Double(elapsedNanoseconds - phaseNanoseconds) * rate / 1e9).rounded(.down)) + 1
    }

    /// How many to send now, having sent `sent`.
    public func due(elapsedNanoseconds: UInt64, sent: UInt64) -> UInt64 {
        let target = target(elapsedNanoseconds: elapsedNanoseconds)
        return target > sent ? target - sent : 0
    }

    /// Time between ticks: one message's interval, but at least 1 ms (faster rates send several
    /// per tick) and at most 100 ms (so stopping and catching up stay prompt).
    public var tickIntervalNanoseconds: UInt64 {
        let interval = 1e9 / rate
        return UInt64(min(max(interval, 1e6), 1e8))
    }

    /// The next tick after `elapsedNanoseconds`, on the grid phase + k × tick interval.
    public func nextTick(afterElapsedNanoseconds elapsed: UInt64) -> UInt64 {
        guard elapsed >= phaseNanoseconds else { return phaseNanoseconds }
        let interval = tickIntervalNanoseconds
        return phaseNanoseconds + ((elapsed - phaseNanoseconds) / interval + 1) * interval
    }
}
