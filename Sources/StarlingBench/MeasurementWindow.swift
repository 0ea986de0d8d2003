import NIOCore

/// The process's monotonic clock, in nanoseconds. One clock for publishers and subscribers, so a
/// payload's send time can be subtracted from its arrival time. It is `CLOCK_MONOTONIC` on Linux
/// (the clock of `DispatchTime` and of NIO's timers), shared by every process on the machine.
enum MonotonicClock {
    @inline(__always)
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}

/// When a run measures, in `MonotonicClock` nanoseconds.
public struct MeasurementWindow: Sendable, Equatable {
    public var start: UInt64
    /// Latencies of messages sent before this are not recorded, and rates count from here.
    public var warmupEnd: UInt64
    /// Publishers stop here.
    public var end: UInt64

    public init(start: UInt64, warmup: UInt64, duration: UInt64) {
        self.start = start
        self.warmupEnd = start + warmup
        self.end = start + duration
    }

    /// Whether an event at `time` counts towards the rates.
    public func measures(_ time: UInt64) -> Bool { time >= warmupEnd && time < end }

    /// Seconds over which rates are computed; never zero, so rates stay finite.
    public var measuredSeconds: Double { max(Double(end - warmupEnd) / 1e9, 1e-9) }
}
