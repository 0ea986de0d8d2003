/// Why a bench configuration cannot run. The message names the option at fault.
public enum BenchConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidHost(String)
    case invalidTopicPattern(String, reason: String)
    case invalidFilter(String, reason: String)
    case outOfRange(option: String, value: String, expected: String)
    case missing(option: String)

    public var description: String {
        switch self {
        case .invalidHost(let text):
            "invalid host \"\(text)\": expected HOST:PORT, [IPv6]:PORT or HOST"
        case .invalidTopicPattern(let text, let reason):
            "invalid topic \"\(text)\": \(reason)"
        case .invalidFilter(let text, let reason):
            "invalid filter \"\(text)\": \(reason)"
        case .outOfRange(let option, let value, let expected):
            "\(option) \(value) is out of range: expected \(expected)"
        case .missing(let option):
            "\(option) is required"
        }
    }
}
