/// A progress report while a run is under way.
public struct BenchProgress: Sendable {
    /// Seconds since measuring started.
    public var elapsedSeconds: Double
    public var sent: UInt64
    public var received: UInt64
    /// Messages per second since the previous report.
    public var sendRate: Double
    public var receiveRate: Double
    public var inflight: Int
}

extension BenchProgress {
    /// One line for a terminal: `  3.0s  sent 3000 (1000/s)  received 3000 (1000/s)  inflight 0`.
    public var line: String {
        let elapsed = BenchReport.decimal(elapsedSeconds)
        return String(repeating: " ", count: max(0, 6 - elapsed.count)) + elapsed + "s"
            + "  sent \(sent) (\(Int(sendRate.rounded()))/s)"
            + "  received \(received) (\(Int(receiveRate.rounded()))/s)"
            + "  inflight \(inflight)"
    }
}
