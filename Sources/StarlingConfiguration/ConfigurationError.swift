/// Why the configuration could not be loaded. The description names where the setting came from and
/// what is wrong with it, ready to be printed after `starling: `:
///
///     starling.toml:12: mqtt.max_packet_size: expected a size between 2 and 268435460 bytes, got "abc"
///     environment STARLING_MQTT_MAX_QOS: expected an integer 0…2, got "7"
///     --listen: expected HOST:PORT, got "foo"
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the offending text came from; `nil` when the problem is the file itself (it is named in the message).
    public let origin: ConfigurationOrigin?
    private let problem: Problem

    private enum Problem: Sendable, Equatable {
        case fileNotFound(path: String)
        case fileUnreadable(path: String, reason: String)
        case syntax(String)
        case unknownKey(String, suggestion: String?)
        case unknownTable(String, suggestion: String?)
        /// A value where a table of settings belongs, e.g. `mqtt = 5`.
        case notATable(String, got: String)
        /// `key` is nil when the origin already names the setting (an environment variable, a flag).
        case invalidValue(key: String?, expected: String, got: String)
    }

    private init(_ origin: ConfigurationOrigin?, _ problem: Problem) {
        self.origin = origin
        self.problem = problem
    }

    public var description: String {
        let prefix = origin.map { "\($0): " } ?? ""
        return prefix + message
    }

    private var message: String {
        switch problem {
        case .fileNotFound(let path):
            return "configuration file \(TOMLValue.quoted(path)) does not exist"
        case .fileUnreadable(let path, let reason):
            return "cannot read configuration file \(TOMLValue.quoted(path)): \(reason)"
        case .syntax(let message):
            return message
        case .unknownKey(let key, let suggestion):
            return "unknown key \(TOMLValue.quoted(key))" + Self.didYouMean(suggestion)
        case .unknownTable(let table, let suggestion):
            return "unknown table [\(table)]" + Self.didYouMean(suggestion.map { "[\($0)]" })
        case .notATable(let table, let got):
            return "\(TOMLValue.quoted(table)) is a table of settings ([\(table)]), got \(got)"
        case .invalidValue(let key, let expected, let got):
            return (key.map { "\($0): " } ?? "") + "expected \(expected), got \(got)"
        }
    }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { " (did you mean \($0.hasPrefix("[") ? $0 : TOMLValue.quoted($0))?)" } ?? ""
    }

    static func fileNotFound(_ path: String) -> Self { Self(nil, .fileNotFound(path: path)) }

    static func fileUnreadable(_ path: String, reason: String) -> Self {
        Self(nil, .fileUnreadable(path: path, reason: reason))
    }

    static func syntax(_ origin: ConfigurationOrigin, _ message: String) -> Self { Self(origin, .syntax(message)) }

    static func unknownKey(_ origin: ConfigurationOrigin, _ key: String, suggestion: String?) -> Self {
        Self(origin, .unknownKey(key, suggestion: suggestion))
    }

    static func unknownTable(_ origin: ConfigurationOrigin, _ table: String, suggestion: String?) -> Self {
        Self(origin, .unknownTable(table, suggestion: suggestion))
    }

    static func notATable(_ origin: ConfigurationOrigin, _ table: String, got: String) -> Self {
        Self(origin, .notATable(table, got: got))
    }

    static func invalidValue(_ origin: ConfigurationOrigin, key: String?, expected: String, got: String) -> Self {
        Self(origin, .invalidValue(key: key, expected: expected, got: got))
    }
}

/// Where a setting came from, written the way error messages start.
public enum ConfigurationOrigin: Sendable, Equatable, CustomStringConvertible {
    /// A line of a configuration file: `starling.toml:12`.
    case file(path: String, line: Int)
    /// An environment variable: `environment STARLING_MQTT_MAX_QOS`.
    case environment(variable: String)
    /// A command-line flag as the user typed it: `--listen`.
    case commandLine(flag: String)

    public var description: String {
        switch self {
        case .file(let path, let line): "\(path):\(line)"
        case .environment(let variable): "environment \(variable)"
        case .commandLine(let flag): flag
        }
    }
}
