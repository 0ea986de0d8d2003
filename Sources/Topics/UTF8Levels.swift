// The byte-level machinery under the trie and the retained index. Topics are compared as UTF-8 bytes, never as
// Swift `String`s: `String ==` treats canonically equivalent strings (`é` and `e` + U+0301) as equal, but the
// server must not normalize topics when it matches them [MQTT-4.7.3-4]. Working on bytes also avoids the index
// validation and reference counting a `Substring` costs per level.
//
// The hot-path pieces are `@usableFromInline`/`@inlinable` so that `SubscriptionTrie.forEachMatch` is specialized
// for the caller's key and value types.

/// The bytes that mean something in a topic. Computed rather than stored, so they fold to constants instead of
/// going through a lazily initialized global on every byte.
@usableFromInline
enum UTF8Byte {
    @inlinable static var levelSeparator: UInt8 { 0x2F }  // "/"
    @inlinable static var singleLevelWildcard: UInt8 { 0x2B }  // "+"
    @inlinable static var multiLevelWildcard: UInt8 { 0x23 }  // "#"
    @inlinable static var dollar: UInt8 { 0x24 }  // "$"
    @inlinable static var null: UInt8 { 0x00 }
}

/// Calls `body` with the UTF-8 bytes of `string`, in place when the string is contiguous (validated topics always
/// are), or else from a copy.
@inlinable
func withUTF8Bytes<Result>(
    of string: String,
    _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    if let result = try string.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(string.utf8).withUnsafeBytes(body)
}

/// Whether two strings have the same UTF-8 bytes.
@inlinable
func utf8BytesEqual(_ lhs: String, _ rhs: String) -> Bool {
    guard lhs.utf8.count == rhs.utf8.count else { return false }
    return withUTF8Bytes(of: lhs) { left in withUTF8Bytes(of: rhs) { right in left.elementsEqual(right) } }
}

/// Splits UTF-8 bytes on `/`, each level a slice of the same buffer, valid only while the buffer is.
@usableFromInline
struct UTF8Levels {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// Where the next level starts; `nil` once the last level was returned.
    @usableFromInline var nextStart: Int?

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.nextStart = 0
    }

    /// Whether every level has been returned.
    @inlinable
    var isAtEnd: Bool { nextStart == nil }

    @inlinable
    mutating func next() -> UnsafeRawBufferPointer? {
        guard let start = nextStart else { return nil }
        var index = start
        while index < bytes.count {
            if bytes[index] == UTF8Byte.levelSeparator {
                nextStart = index + 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            }
            index += 1
        }
        nextStart = nil
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }
}

/// One level of a validated filter, classified. In a valid filter a level holding a wildcard holds nothing else.
@usableFromInline
enum FilterLevel {
    case literal(UnsafeRawBufferPointer)
    case singleLevelWildcard
    case multiLevelWildcard

    @inlinable
    init(_ level: UnsafeRawBufferPointer) {
        if level.count == 1 {
            switch level[0] {
            case UTF8Byte.singleLevelWildcard:
                self = .singleLevelWildcard
                return
            case UTF8Byte.multiLevelWildcard:
                self = .multiLevelWildcard
                return
            default:
                break
            }
        }
        self = .literal(level)
    }
}

/// A level as a dictionary key, equal when the UTF-8 bytes are.
///
/// Keys stored in a trie own their bytes. A lookup uses a key that borrows the bytes of the topic being matched,
/// so finding a child allocates nothing; a borrowed key lives only inside the `withUTF8Bytes` call that made it
/// and is never stored.
@usableFromInline
enum TopicLevel: Hashable {
    case owned(String)
    case borrowed(UnsafeRawBufferPointer)

    /// A key that owns a copy of `level`'s bytes, for storing.
    @usableFromInline
    init(owning level: TopicLevel) {
        switch level {
        case .owned:
            self = level
        case .borrowed(let bytes):
            // A level is the bytes between two `/` of valid UTF-8, so it is valid UTF-8 itself.
            self = .owned(String(decoding: bytes, as: UTF8.self))
        }
    }

    @inlinable
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self {
        case .owned(let string): withUTF8Bytes(of: string, body)
        case .borrowed(let bytes): body(bytes)
        }
    }

    /// Whether the level starts with `$`, which keeps wildcards at the first level away [MQTT-4.7.2-1].
    var startsWithDollar: Bool { withBytes { $0.first == UTF8Byte.dollar } }

    @inlinable
    static func == (lhs: TopicLevel, rhs: TopicLevel) -> Bool {
        lhs.withBytes { left in rhs.withBytes { right in left.count == right.count && left.elementsEqual(right) } }
    }

    @inlinable
    func hash(into hasher: inout Hasher) {
        withBytes { hasher.combine(bytes: $0) }
    }
}
