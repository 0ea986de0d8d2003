/// Sizes in bytes: a bare number, or a number with `B`, `KB`/`MB`/`GB` (powers of 1000) or
/// `KiB`/`MiB`/`GiB` (powers of 1024). Units are not case-sensitive.
package enum ByteSize {
    private static let units: [(suffix: String, bytes: Int)] = [
        ("b", 1), ("kb", 1000), ("kib", 1024), ("mb", 1_000_000), ("mib", 1 << 20), ("gb", 1_000_000_000),
        ("gib", 1 << 30),
    ]

    /// `nil` when `text` is not a number with an optional unit, or does not fit.
    package static func parse(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && ($0.isNumber || $0 == "_") }
        let suffix = text.dropFirst(digits.count).lowercased()
        guard !digits.isEmpty, let count = TOMLNumber.parseDecimalInteger(String(digits)) else { return nil }
        if suffix.isEmpty { return count }
        guard let unit = units.first(where: { $0.suffix == suffix }) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit.bytes)
        return overflow ? nil : bytes
    }

    /// `1MiB` when a binary unit divides exactly, otherwise the number of bytes.
    package static func render(_ bytes: Int) -> String {
        for (suffix, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1024)] where bytes != 0 && bytes % size == 0
        {
            return "\(bytes / size)\(suffix)"
        }
        return String(bytes)
    }
}
