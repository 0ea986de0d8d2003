/// The children of a trie node by level.
///
/// Most nodes have a handful of children (`devices/{id}` has `commands` and `telemetry`), and for those comparing
/// a few short levels byte by byte is cheaper than hashing the level, and an array is smaller than a dictionary.
/// Past `maximumFewCount` children the map switches to a dictionary, and back once it has shrunk to half that, so
/// a count hovering at the limit does not convert on every change.
///
/// Levels stored here own their bytes; lookups may use borrowed ones.
@usableFromInline
struct LevelMap<Child: AnyObject> {
    @usableFromInline
    struct Entry {
        /// The level's length and first bytes, compared first: they decide levels of up to 16 bytes without
        /// touching the level's storage or its reference count.
        @usableFromInline let prefix: LevelPrefix
        @usableFromInline let level: TopicLevel
        @usableFromInline var child: Child

        @usableFromInline
        init(level: TopicLevel, child: Child) {
            self.prefix = level.withBytes(LevelPrefix.init)
            self.level = level
            self.child = child
        }
    }

    /// The children while there are few; empty once `many` is in use.
    @usableFromInline var few: [Entry] = []
    /// The children once there are many; empty while `few` is in use.
    @usableFromInline var many: [TopicLevel: Child] = [:]

    @usableFromInline static var maximumFewCount: Int { 8 }

    @usableFromInline
    init() {}

    @inlinable
    var isEmpty: Bool { few.isEmpty && many.isEmpty }

    @inlinable
    var count: Int { few.count + many.count }

    @inlinable
    subscript(level: UnsafeRawBufferPointer) -> Child? {
        if many.isEmpty {
            let prefix = LevelPrefix(level)
            for index in few.indices where few[index].prefix == prefix {
                if prefix.isWholeLevel || few[index].level == .borrowed(level) { return few[index].child }
            }
            return nil
        }
        return many[.borrowed(level)]
    }

    /// The child for `level`, first replaced by `copy(child)` if anything else references it; `nil` if there is none.
    mutating func uniqueChild(_ level: TopicLevel, copy: (Child) -> Child) -> Child? {
        // Both checks look at the child where it is stored, so they do not count a reference of their own.
        if many.isEmpty {
            guard let index = few.firstIndex(where: { $0.level == level }) else { return nil }
            if !isKnownUniquelyReferenced(&few[index].child) {
                few[index].child = copy(few[index].child)
            }
            return few[index].child
        }
        guard let index = many.index(forKey: level) else { return nil }
        if !isKnownUniquelyReferenced(&many.values[index]) {
            many.values[index] = copy(many.values[index])
        }
        return many.values[index]
    }

    /// Adds `child` for a level that has none, keeping a copy of the level's bytes.
    mutating func insert(_ level: TopicLevel, _ child: Child) {
        let level = TopicLevel(owning: level)
        if many.isEmpty && few.count < Self.maximumFewCount {
            few.append(Entry(level: level, child: child))
            return
        }
        if many.isEmpty {
            many = Dictionary(uniqueKeysWithValues: few.lazy.map { ($0.level, $0.child) })
            few = []
        }
        many[level] = child
    }

    mutating func remove(_ level: TopicLevel) {
        if many.isEmpty {
            few.removeAll { $0.level == level }
            return
        }
        many[level] = nil
        if many.count <= Self.maximumFewCount / 2 {
            few = many.map { Entry(level: $0.key, child: $0.value) }
            many = [:]
        }
    }

    /// Calls `body` with every level and child, in no particular order.
    func forEach(_ body: (TopicLevel, Child) throws -> Void) rethrows {
        for entry in few { try body(entry.level, entry.child) }
        for (level, child) in many { try body(level, child) }
    }

    /// Moves every child to the end of `children`, leaving the map empty.
    mutating func removeAll(into children: inout [Child]) {
        children.append(contentsOf: few.lazy.map(\.child))
        children.append(contentsOf: many.values)
        few = []
        many = [:]
    }
}

/// The length of a level and its first 16 bytes, packed into words so that comparing two is three integer compares.
@usableFromInline
struct LevelPrefix: Equatable {
    @usableFromInline let byteCount: Int
    @usableFromInline let low: UInt64
    @usableFromInline let high: UInt64

    @inlinable
    init(_ bytes: UnsafeRawBufferPointer) {
        byteCount = bytes.count
        low = Self.packedWord(bytes, from: 0)
        high = Self.packedWord(bytes, from: 8)
    }

    /// Whether the prefix holds the whole level, so that equal prefixes mean equal levels.
    @inlinable
    var isWholeLevel: Bool { byteCount <= 16 }

    /// Up to eight bytes from `offset`, zero-padded.
    @inlinable
    static func packedWord(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        let available = bytes.count - offset
        if available >= 8 {
            return bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
        var word: UInt64 = 0
        var index = 0
        while index < available {
            word |= UInt64(bytes[offset + index]) << (8 * UInt64(index))
            index += 1
        }
        return word
    }
}
