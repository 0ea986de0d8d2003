/// Why a string is not a valid Topic Name, Topic Filter or subscription target.
///
/// A struct around a private enum so that new cases never break callers. The broker maps these to the wire
/// (0x90 Topic Name invalid, 0x8F Topic Filter invalid) by which initializer threw, not by case.
public struct TopicError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case empty
        case tooLong(byteCount: Int)
        case nullCharacter
        case wildcardInTopicName
        case misplacedMultiLevelWildcard
        case misplacedSingleLevelWildcard
        case emptyShareName
        case invalidShareName
        case missingSharedFilter
        case missingExclusiveFilter
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The string has no characters [MQTT-4.7.3-1].
    public static let empty = TopicError(.empty)
    /// The string contains U+0000 [MQTT-4.7.3-2].
    public static let nullCharacter = TopicError(.nullCharacter)
    /// A Topic Name contains `+` or `#` (5.0 [MQTT-4.7.0-1], 3.1.1 [MQTT-4.7.1-1], [MQTT-3.3.2-2]).
    public static let wildcardInTopicName = TopicError(.wildcardInTopicName)
    /// `#` is not alone in the last level of a filter (5.0 [MQTT-4.7.1-1], 3.1.1 [MQTT-4.7.1-2]).
    public static let misplacedMultiLevelWildcard = TopicError(.misplacedMultiLevelWildcard)
    /// `+` does not occupy a whole level of a filter (5.0 [MQTT-4.7.1-2], 3.1.1 [MQTT-4.7.1-3]).
    public static let misplacedSingleLevelWildcard = TopicError(.misplacedSingleLevelWildcard)
    /// `$share/` is not followed by a ShareName of at least one character [MQTT-4.8.2-1].
    public static let emptyShareName = TopicError(.emptyShareName)
    /// The ShareName contains `+` or `#` [MQTT-4.8.2-2].
    public static let invalidShareName = TopicError(.invalidShareName)
    /// The ShareName is not followed by `/` and a Topic Filter [MQTT-4.8.2-2].
    public static let missingSharedFilter = TopicError(.missingSharedFilter)
    /// `$exclusive` is not followed by `/` and a Topic Filter.
    public static let missingExclusiveFilter = TopicError(.missingExclusiveFilter)

    /// The string encodes to more than 65,535 UTF-8 bytes [MQTT-4.7.3-3].
    public static func tooLong(byteCount: Int) -> TopicError {
        TopicError(.tooLong(byteCount: byteCount))
    }

    public var description: String {
        switch kind {
        case .empty:
            "topic is empty [MQTT-4.7.3-1]"
        case .tooLong(let byteCount):
            "topic of \(byteCount) UTF-8 bytes exceeds the maximum of \(TopicName.maximumByteCount) [MQTT-4.7.3-3]"
        case .nullCharacter:
            "topic contains the null character U+0000 [MQTT-4.7.3-2]"
        case .wildcardInTopicName:
            "topic name contains a wildcard character '+' or '#' [MQTT-3.3.2-2]"
        case .misplacedMultiLevelWildcard:
            "'#' must be alone in the last level of a topic filter"
        case .misplacedSingleLevelWildcard:
            "'+' must occupy a whole level of a topic filter"
        case .emptyShareName:
            "shared subscription has an empty ShareName [MQTT-4.8.2-1]"
        case .invalidShareName:
            "ShareName contains '+' or '#' [MQTT-4.8.2-2]"
        case .missingSharedFilter:
            "ShareName is not followed by '/' and a topic filter [MQTT-4.8.2-2]"
        case .missingExclusiveFilter:
            "$exclusive is not followed by '/' and a topic filter"
        }
    }
}
