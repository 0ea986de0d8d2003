/// A setting's value before it is checked: typed, from the file, or text, from the environment or a flag.
///
/// Text is read the way a TOML value of the expected type would be written, without quotes:
/// `STARLING_MQTT_MAX_QOS=1`, `STARLING_MQTT_MAX_SESSION_EXPIRY=2h`, `STARLING_LOG_LEVEL=debug`.
enum SettingInput: Sendable {
    case toml(TOMLValue)
    case text(String)

    /// The value as it appears after "got" in messages: file values in TOML notation, text quoted.
    var shown: String {
        switch self {
        case .toml(let value): value.description
        case .text(let text): TOMLValue.quoted(text)
        }
    }
}

/// A value did not fit its setting; `expected` completes "expected …" (the caller adds origin and value).
struct SettingMismatch: Error, Sendable, Equatable {
    var expected: String
}

extension SettingInput {
    func integer(in range: ClosedRange<Int>) throws(SettingMismatch) -> Int {
        let mismatch = SettingMismatch(expected: "an integer " + Self.describe(range))
        let number: Int?
        switch self {
        case .toml(let value):
            guard case .integer(let integer) = value.kind else { throw mismatch }
            number = integer
        case .text(let text):
            number = TOMLNumber.parseDecimalInteger(text)
        }
        guard let number, range.contains(number) else { throw mismatch }
        return number
    }

    /// Bytes, from a TOML integer or a string such as `"64KiB"`.
    func size(in range: ClosedRange<Int>) throws(SettingMismatch) -> Int {
        let mismatch = SettingMismatch(
            expected: range.upperBound == .max
                ? "a size of at least \(range.lowerBound) bytes"
                : "a size between \(range.lowerBound) and \(range.upperBound) bytes"
        )
        let bytes: Int?
        switch self {
        case .toml(let value):
            switch value.kind {
            case .integer(let integer): bytes = integer
            case .string(let text): bytes = ByteSize.parse(text)
            default: bytes = nil
            }
        case .text(let text):
            bytes = ByteSize.parse(text)
        }
        guard let bytes, range.contains(bytes) else { throw mismatch }
        return bytes
    }

    /// From a TOML integer of seconds or a string such as `"30s"`.
    func duration(in range: ClosedRange<Duration>, wholeSeconds: Bool = false) throws(SettingMismatch) -> Duration {
        let unit = wholeSeconds ? "a duration in whole seconds" : "a duration"
        let lower = DurationText.render(range.lowerBound)
        let upper = DurationText.render(range.upperBound)
        let mismatch = SettingMismatch(
            expected: range.upperBound == .seconds(Int64.max)
                ? "\(unit) of at least \(lower)" : "\(unit) between \(lower) and \(upper)"
        )
        let duration: Duration?
        switch self {
        case .toml(let value):
            switch value.kind {
            case .integer(let seconds): duration = DurationText.seconds(seconds)
            case .string(let text): duration = DurationText.parse(text)
            default: duration = nil
            }
        case .text(let text):
            duration = DurationText.parse(text)
        }
        guard let duration, range.contains(duration) else { throw mismatch }
        guard !wholeSeconds || duration.components.attoseconds == 0 else { throw mismatch }
        return duration
    }

    func boolean() throws(SettingMismatch) -> Bool {
        switch self {
        case .toml(let value):
            if case .boolean(let flag) = value.kind { return flag }
        case .text(let text):
            switch text.lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        }
        throw SettingMismatch(expected: "true or false")
    }

    func string(allowingEmpty: Bool = false) throws(SettingMismatch) -> String {
        let text: String?
        switch self {
        case .toml(let value):
            if case .string(let string) = value.kind { text = string } else { text = nil }
        case .text(let string):
            text = string
        }
        guard let text, allowingEmpty || !text.isEmpty else {
            throw SettingMismatch(expected: allowingEmpty ? "a string" : "a non-empty string")
        }
        return text
    }

    /// One of the raw values of `Choice`, ignoring case.
    func choice<Choice: RawRepresentable & CaseIterable>(
        of type: Choice.Type
    ) throws(SettingMismatch) -> Choice where Choice.RawValue == String {
        let mismatch = SettingMismatch(expected: "one of " + Choice.allCases.map(\.rawValue).joined(separator: ", "))
        guard let text = try? string(), let choice = Choice(rawValue: text.lowercased()) else { throw mismatch }
        return choice
    }

    func hostPort() throws(SettingMismatch) -> HostPort {
        guard let text = try? string() else { throw SettingMismatch(expected: "HOST:PORT") }
        switch HostPort.parse(text) {
        case .valid(let hostPort): return hostPort
        case .portOutOfRange: throw SettingMismatch(expected: "HOST:PORT with a port 0…65535")
        case .malformed: throw SettingMismatch(expected: "HOST:PORT")
        }
    }

    /// An array of `HOST:PORT` strings, or one string with the entries separated by commas.
    func hostPortList() throws(SettingMismatch) -> [HostPort] {
        let mismatch = SettingMismatch(expected: "a list of HOST:PORT")
        let texts: [String]
        switch self {
        case .toml(let value):
            switch value.kind {
            case .array(let elements):
                var strings: [String] = []
                for element in elements {
                    guard case .string(let text) = element.kind else { throw mismatch }
                    strings.append(text)
                }
                texts = strings
            case .string(let text):
                texts = text.split(separator: ",").map(String.init)
            default:
                throw mismatch
            }
        case .text(let text):
            texts = text.split(separator: ",").map(String.init)
        }
        var result: [HostPort] = []
        for text in texts {
            let trimmed = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            guard case .valid(let hostPort) = HostPort.parse(trimmed) else {
                throw SettingMismatch(expected: "a list of HOST:PORT (\"\(trimmed)\" is not one)")
            }
            result.append(hostPort)
        }
        return result
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == .max ? "of at least \(range.lowerBound)" : "\(range.lowerBound)…\(range.upperBound)"
    }
}
