/// A subscriber's topic filter, plain or shared (`$share/{group}/{filter}`), with just enough of
/// MQTT's matching rules (5.0 §4.7, §4.8.2) to predict which published topics it receives.
///
/// The broker's own trie lives in `Topics`; the bench tool keeps this small copy so it can compute
/// expected deliveries without depending on broker internals.
public struct BenchTopicFilter: Sendable, Hashable, CustomStringConvertible {
    /// The filter as sent in SUBSCRIBE, `$share/…` prefix included.
    public let description: String
    /// The share name when this is a shared subscription.
    public let shareGroup: String?
    /// The filter that topics are matched against (without the `$share/{group}/` prefix).
    public let matchFilter: String
    private let levels: [Substring]

    public init(_ text: String) throws(BenchConfigurationError) {
        var group: String?
        var filter = Substring(text)
        if text.hasPrefix("$share/") {
            let rest = text.dropFirst("$share/".count)
            // [MQTT-4.8.2-1] a shared subscription's share name is at least one character;
            // [MQTT-4.8.2-2] it contains no "/", "+" or "#", and is followed by "/" and a topic filter.
            guard let slash = rest.firstIndex(of: "/") else {
                throw .invalidFilter(text, reason: "a shared subscription needs $share/{group}/{filter}")
            }
            let name = rest[..<slash]
            guard !name.isEmpty, !name.contains(where: { $0 == "+" || $0 == "#" }) else {
                throw .invalidFilter(text, reason: "the share name must be non-empty, without + or #")
            }
            group = String(name)
            filter = rest[rest.index(after: slash)...]
        }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        guard !filter.isEmpty else { throw .invalidFilter(text, reason: "empty topic filter") }
        for (position, level) in levels.enumerated() {
            // 5.0 [MQTT-4.7.1-1] "#" is alone in its level and is the last level.
            if level.contains("#") && (level != "#" || position != levels.count - 1) {
                throw .invalidFilter(text, reason: "# must be the whole last level")
            }
            // 5.0 [MQTT-4.7.1-2] "+" occupies an entire level.
            if level.contains("+") && level != "+" {
                throw .invalidFilter(text, reason: "+ must be a whole level")
            }
        }
        self.description = text
        self.shareGroup = group
        self.matchFilter = String(filter)
        self.levels = levels
    }

    /// Whether the filter has a wildcard (otherwise it matches exactly one topic name, itself).
    public var hasWildcard: Bool { levels.contains { $0 == "+" || $0 == "#" } }

    public func matches(topic: String) -> Bool {
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with "$".
        if topic.hasPrefix("$"), let first = levels.first, first == "+" || first == "#" {
            return false
        }
        var index = 0
        while index < levels.count {
            let level = levels[index]
            if level == "#" { return true }  // also matches the parent level ("a/#" matches "a").
            guard index < topicLevels.count else { return false }
            if level != "+" && level != topicLevels[index] { return false }
            index += 1
        }
        return index == topicLevels.count
    }
}
