/// Durations written as a whole number and a unit: `500ms`, `30s`, `5m`, `2h`, `1d`.
/// A bare number (a TOML integer, or digits in an environment variable) means seconds.
package enum DurationText {
    private static let units: [(suffix: String, milliseconds: Int)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// `nil` when `text` is not a number with one of the units, or does not fit.
    package static func parse(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && ($0.isNumber || $0 == "_") }
        let suffix = text.dropFirst(digits.count)
        guard !digits.isEmpty, let count = TOMLNumber.parseDecimalInteger(String(digits)) else { return nil }
        if suffix.isEmpty { return seconds(count) }
        guard let unit = units.first(where: { $0.suffix == suffix }) else { return nil }
        let (milliseconds, overflow) = count.multipliedReportingOverflow(by: unit.milliseconds)
        return overflow ? nil : .milliseconds(milliseconds)
    }

    /// A TOML integer of seconds; `nil` if negative or too large.
    package static func seconds(_ count: Int) -> Duration? {
        let (milliseconds, overflow) = count.multipliedReportingOverflow(by: 1000)
        return overflow || count < 0 ? nil : .milliseconds(milliseconds)
    }

    /// The shortest exact spelling: `1d`, `90s`, `1500ms`. Durations finer than a millisecond cannot be
    /// written in a configuration file; they are shown as Swift shows them.
    package static func render(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeMilliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard attoseconds % attosecondsPerMillisecond == 0, !overflow else { return "\(duration)" }
        let milliseconds = wholeMilliseconds + attoseconds / attosecondsPerMillisecond
        for unit in units.reversed() where milliseconds != 0 && milliseconds % Int64(unit.milliseconds) == 0 {
            return "\(milliseconds / Int64(unit.milliseconds))\(unit.suffix)"
        }
        return milliseconds == 0 ? "0s" : "\(milliseconds)ms"
    }
}
