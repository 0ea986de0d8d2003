/// A validated Topic Name: the topic a PUBLISH is sent to (MQTT 3.1.1 and 5.0 §4.7).
///
/// Two names are equal when their UTF-8 bytes are: the server must not normalize topics, so `é` and
/// `e` + U+0301 are different topics [MQTT-4.7.3-4].
public struct TopicName: Hashable, Sendable, CustomStringConvertible {
    /// The most UTF-8 bytes a Topic Name or Topic Filter may encode to [MQTT-4.7.3-3].
    public static let maximumByteCount = 65_535

    /// The topic as received.
    public let string: String

    /// Validates `string` as a Topic Name.
    public init(validating string: String) throws(TopicError) {
        try Self.validate(string)
        self.init(checkedString: string)
    }

    /// Wraps a string already known to be a valid Topic Name, such as one read back from our own storage.
    /// Checked only in debug builds.
    public init(uncheckedString string: String) {
        assert((try? Self.validate(string)) != nil, "invalid topic name \(string)")
        self.init(checkedString: string)
    }

    private init(checkedString string: String) {
        var string = string
        // Matching reads the bytes in place; a string bridged from another runtime would be copied every time.
        string.makeContiguousUTF8()
        self.string = string
    }

    private static func validate(_ string: String) throws(TopicError) {
        let utf8 = string.utf8
        let byteCount = utf8.count
        // [MQTT-4.7.3-1] A Topic Name is at least one character long.
        guard byteCount > 0 else { throw .empty }
        // [MQTT-4.7.3-3] A Topic Name encodes to at most 65,535 bytes.
        guard byteCount <= maximumByteCount else { throw .tooLong(byteCount: byteCount) }
        for byte in utf8 {
            switch byte {
            // [MQTT-4.7.3-2] A Topic Name does not contain U+0000.
            case UTF8Byte.null:
                throw .nullCharacter
            // [MQTT-4.7.0-1] (5.0), [MQTT-4.7.1-1] (3.1.1), [MQTT-3.3.2-2]: no wildcards in a Topic Name.
            case UTF8Byte.singleLevelWildcard, UTF8Byte.multiLevelWildcard:
                throw .wildcardInTopicName
            default:
                continue
            }
        }
    }

    /// The levels between the `/` separators, in order.
    public var levels: TopicLevels { TopicLevels(string) }

    /// Whether the topic starts with `$` (`$SYS/…`): such topics are not matched by filters that start with a
    /// wildcard [MQTT-4.7.2-1].
    public var isSystemTopic: Bool { string.utf8.first == UTF8Byte.dollar }

    public var description: String { string }

    public static func == (lhs: TopicName, rhs: TopicName) -> Bool {
        utf8BytesEqual(lhs.string, rhs.string)
    }

    public func hash(into hasher: inout Hasher) {
        withUTF8Bytes(of: string) { hasher.combine(bytes: $0) }
    }
}
