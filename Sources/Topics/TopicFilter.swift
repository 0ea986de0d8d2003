/// A validated Topic Filter: what a SUBSCRIBE or UNSUBSCRIBE names (MQTT 3.1.1 and 5.0 §4.7).
///
/// A filter may hold the wildcards `+` (exactly one level, possibly empty) and `#` (the parent level and any
/// number of levels below it). Shared (`$share/…`) and exclusive (`$exclusive/…`) prefixes are not stripped here:
/// parse a ``SubscriptionTarget`` for that. Two filters are equal when their UTF-8 bytes are [MQTT-4.7.3-4].
public struct TopicFilter: Hashable, Sendable, CustomStringConvertible {
    /// The filter as received.
    public let string: String

    /// Whether the filter holds `+` or `#`, so may match more than one topic.
    public let hasWildcards: Bool

    /// Validates `string` as a Topic Filter.
    public init(validating string: String) throws(TopicError) {
        let hasWildcards = try Self.validate(string)
        self.init(checkedString: string, hasWildcards: hasWildcards)
    }

    /// Wraps a string already known to be a valid Topic Filter, such as one read back from our own storage.
    /// Checked only in debug builds.
    public init(uncheckedString string: String) {
        assert((try? Self.validate(string)) != nil, "invalid topic filter \(string)")
        let hasWildcards = string.utf8.contains {
            $0 == UTF8Byte.singleLevelWildcard || $0 == UTF8Byte.multiLevelWildcard
        }
        self.init(checkedString: string, hasWildcards: hasWildcards)
    }

    /// The filter that matches exactly `topic`.
    public init(_ topic: TopicName) {
        self.init(checkedString: topic.string, hasWildcards: false)
    }

    private init(checkedString string: String, hasWildcards: Bool) {
        var string = string
        // The trie reads the bytes in place; a string bridged from another runtime would be copied every time.
        string.makeContiguousUTF8()
        self.string = string
        self.hasWildcards = hasWildcards
    }

    /// Checks every rule in one pass over the bytes and tells whether a wildcard was seen.
    private static func validate(_ string: String) throws(TopicError) -> Bool {
        let utf8 = string.utf8
        let byteCount = utf8.count
        // [MQTT-4.7.3-1] A Topic Filter is at least one character long.
        guard byteCount > 0 else { throw .empty }
        // [MQTT-4.7.3-3] A Topic Filter encodes to at most 65,535 bytes.
        guard byteCount <= TopicName.maximumByteCount else { throw .tooLong(byteCount: byteCount) }
        var atLevelStart = true
        var levelIsSingleLevelWildcard = false
        var sawMultiLevelWildcard = false
        var hasWildcards = false
        for byte in utf8 {
            // [MQTT-4.7.1-1] (5.0), [MQTT-4.7.1-2] (3.1.1): `#` is the last character of the filter.
            if sawMultiLevelWildcard { throw .misplacedMultiLevelWildcard }
            // [MQTT-4.7.1-2] (5.0), [MQTT-4.7.1-3] (3.1.1): `+` occupies a whole level, so `/` or the end follows.
            if levelIsSingleLevelWildcard && byte != UTF8Byte.levelSeparator { throw .misplacedSingleLevelWildcard }
            switch byte {
            // [MQTT-4.7.3-2] A Topic Filter does not contain U+0000.
            case UTF8Byte.null:
                throw .nullCharacter
            case UTF8Byte.levelSeparator:
                atLevelStart = true
                levelIsSingleLevelWildcard = false
            case UTF8Byte.multiLevelWildcard:
                // [MQTT-4.7.1-1] (5.0), [MQTT-4.7.1-2] (3.1.1): `#` stands alone or follows a `/`.
                guard atLevelStart else { throw .misplacedMultiLevelWildcard }
                sawMultiLevelWildcard = true
                hasWildcards = true
                atLevelStart = false
            case UTF8Byte.singleLevelWildcard:
                // [MQTT-4.7.1-2] (5.0), [MQTT-4.7.1-3] (3.1.1): `+` starts its level.
                guard atLevelStart else { throw .misplacedSingleLevelWildcard }
                levelIsSingleLevelWildcard = true
                hasWildcards = true
                atLevelStart = false
            default:
                atLevelStart = false
            }
        }
        return hasWildcards
    }

    /// The levels between the `/` separators, in order; a wildcard is a level of its own.
    public var levels: TopicLevels { TopicLevels(string) }

    /// Whether this filter matches `topic`, one level at a time.
    ///
    /// This is the reference the trie and the retained index are tested against; route many topics through a
    /// ``SubscriptionTrie`` instead.
    public func matches(_ topic: TopicName) -> Bool {
        guard hasWildcards else { return utf8BytesEqual(string, topic.string) }
        return withUTF8Bytes(of: string) { filterBytes in
            withUTF8Bytes(of: topic.string) { topicBytes in
                Self.matches(filterLevels: UTF8Levels(filterBytes), topicLevels: UTF8Levels(topicBytes))
            }
        }
    }

    private static func matches(filterLevels: UTF8Levels, topicLevels: UTF8Levels) -> Bool {
        var filterLevels = filterLevels
        var topicLevels = topicLevels
        let isSystemTopic = topicLevels.bytes.first == UTF8Byte.dollar
        var isFirstLevel = true
        while let filterLevel = filterLevels.next() {
            switch FilterLevel(filterLevel) {
            case .multiLevelWildcard:
                // [MQTT-4.7.2-1] A filter starting with a wildcard does not match a topic starting with `$`.
                // Otherwise `#` matches what is left, even nothing: `sport/#` matches `sport`.
                return !(isFirstLevel && isSystemTopic)
            case .singleLevelWildcard:
                // [MQTT-4.7.2-1] as above; `+` matches any one level, the empty one too.
                if isFirstLevel && isSystemTopic { return false }
                guard topicLevels.next() != nil else { return false }
            case .literal(let literal):
                guard let topicLevel = topicLevels.next(), literal.elementsEqual(topicLevel) else { return false }
            }
            isFirstLevel = false
        }
        return topicLevels.isAtEnd
    }

    public var description: String { string }

    public static func == (lhs: TopicFilter, rhs: TopicFilter) -> Bool {
        utf8BytesEqual(lhs.string, rhs.string)
    }

    public func hash(into hasher: inout Hasher) {
        withUTF8Bytes(of: string) { hasher.combine(bytes: $0) }
    }
}
