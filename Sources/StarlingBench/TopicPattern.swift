/// A topic name or filter with `%i` standing for the client's index (from 0) and `%%` for a percent sign.
///
/// `bench/%i` gives publisher 7 the topic `bench/7`; a subscriber filter `bench/%i` pairs subscriber 7 with it.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    private enum Piece: Sendable, Hashable {
        case literal(String)
        case clientIndex
    }

    public let description: String
    private let pieces: [Piece]

    public init(_ text: String) throws(BenchConfigurationError) {
        guard !text.isEmpty else { throw .invalidTopicPattern(text, reason: "empty") }
        var pieces: [Piece] = []
        var literal = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                literal.append(character)
                continue
            }
            switch iterator.next() {
            case "i":
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(.clientIndex)
            case "%":
                literal.append("%")
            default:
                throw .invalidTopicPattern(text, reason: "only %i and %% may follow a percent sign")
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.description = text
        self.pieces = pieces
    }

    /// Whether the expansion differs from client to client.
    public var dependsOnClientIndex: Bool { pieces.contains(.clientIndex) }

    public func expand(clientIndex: Int) -> String {
        var result = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): result += text
            case .clientIndex: result += String(clientIndex)
            }
        }
        return result
    }
}
