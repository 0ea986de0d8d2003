/// What a topic filter in a SUBSCRIBE or UNSUBSCRIBE asks for, once its prefix is parsed.
///
/// - `$share/{ShareName}/{filter}` is a Shared Subscription (5.0 §4.8.2): each matching message goes to one
///   member of the group. Brokers accept it from 3.1.1 clients as well.
/// - `$exclusive/{filter}` is a Starling extension: at most one subscriber of that filter cluster-wide. Only its
///   syntax is checked here; granting it is the cluster's job.
/// - Anything else is a normal subscription. Prefixes are case-sensitive (§4.7.3): `$SHARE/g/a` is a normal filter.
public enum SubscriptionTarget: Hashable, Sendable {
    case normal(TopicFilter)
    case shared(group: String, filter: TopicFilter)
    case exclusive(TopicFilter)

    /// Parses a filter as it arrives in a SUBSCRIBE or UNSUBSCRIBE.
    public init(parsing string: String) throws(TopicError) {
        let utf8 = string.utf8
        let byteCount = utf8.count
        // [MQTT-4.7.3-1] Check the whole string first, so `$share/g/…` cannot grow past the limits.
        guard byteCount > 0 else { throw .empty }
        // [MQTT-4.7.3-3]
        guard byteCount <= TopicName.maximumByteCount else { throw .tooLong(byteCount: byteCount) }

        let firstSeparator = utf8.firstIndex(of: UTF8Byte.levelSeparator)
        let firstLevel = string[..<(firstSeparator ?? string.endIndex)]
        if firstLevel.utf8.elementsEqual(Self.sharePrefix.utf8) {
            self = try Self.parseShared(string, after: firstSeparator)
        } else if firstLevel.utf8.elementsEqual(Self.exclusivePrefix.utf8) {
            // An exclusive subscription needs a filter after `$exclusive/`.
            guard let firstSeparator else { throw .missingExclusiveFilter }
            let filter = string[utf8.index(after: firstSeparator)...]
            guard !filter.utf8.isEmpty else { throw .missingExclusiveFilter }
            self = .exclusive(try TopicFilter(validating: String(filter)))
        } else {
            self = .normal(try TopicFilter(validating: string))
        }
    }

    /// The filter topics are matched against, without any `$share/{ShareName}/` or `$exclusive/` prefix.
    public var filter: TopicFilter {
        switch self {
        case .normal(let filter), .shared(_, let filter), .exclusive(let filter): filter
        }
    }

    static let sharePrefix = "$share"
    static let exclusivePrefix = "$exclusive"

    /// Parses what follows `$share`; `prefixEnd` is the `/` after it, if there is one.
    private static func parseShared(_ string: String, after prefixEnd: String.Index?) throws(TopicError) -> Self {
        let utf8 = string.utf8
        // [MQTT-4.8.2-1] `$share/` is followed by a ShareName of at least one character.
        guard let prefixEnd else { throw .emptyShareName }
        let groupStart = utf8.index(after: prefixEnd)
        let groupEnd = utf8[groupStart...].firstIndex(of: UTF8Byte.levelSeparator)
        let group = string[groupStart..<(groupEnd ?? string.endIndex)]
        guard !group.utf8.isEmpty else { throw .emptyShareName }
        for byte in group.utf8 {
            switch byte {
            // [MQTT-4.7.3-2]
            case UTF8Byte.null:
                throw .nullCharacter
            // [MQTT-4.8.2-2] The ShareName holds no `+` or `#` (nor `/`, which ends it).
            case UTF8Byte.singleLevelWildcard, UTF8Byte.multiLevelWildcard:
                throw .invalidShareName
            default:
                continue
            }
        }
        // [MQTT-4.8.2-2] The ShareName is followed by `/` and a Topic Filter.
        guard let groupEnd else { throw .missingSharedFilter }
        let filter = string[utf8.index(after: groupEnd)...]
        guard !filter.utf8.isEmpty else { throw .missingSharedFilter }
        return .shared(group: String(group), filter: try TopicFilter(validating: String(filter)))
    }
}
