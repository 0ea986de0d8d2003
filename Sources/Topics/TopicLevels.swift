/// The levels of a Topic Name or Topic Filter, split on `/` as they are read.
///
/// Each level is a `Substring` that shares the topic's storage, so iterating allocates nothing. Zero-length
/// levels count: `a//b` has three levels, `/finance` starts with an empty one, and `/` is two empty levels
/// (5.0 §4.7.1.1). The trie and the retained index walk the raw bytes instead (`UTF8Levels`), which is faster still.
public struct TopicLevels: Sequence, Sendable {
    private let string: String

    init(_ string: String) {
        self.string = string
    }

    public func makeIterator() -> Iterator {
        Iterator(string)
    }

    public struct Iterator: IteratorProtocol, Sendable {
        private let string: String
        /// Where the next level starts; `nil` once the last level was returned. It may equal `endIndex`
        /// when the topic ends with `/`: the next level is then the empty one after it.
        private var nextStart: String.Index?

        init(_ string: String) {
            self.string = string
            self.nextStart = string.startIndex
        }

        public mutating func next() -> Substring? {
            guard let start = nextStart else { return nil }
            let utf8 = string.utf8
            var index = start
            while index != utf8.endIndex {
                if utf8[index] == UTF8Byte.levelSeparator {
                    nextStart = utf8.index(after: index)
                    return string[start..<index]
                }
                utf8.formIndex(after: &index)
            }
            nextStart = nil
            return string[start..<index]
        }
    }
}
