import StarlingTestKit

@testable import Topics

/// Random topics and filters over a small alphabet of levels, so that random filters and topics often match.
/// The alphabet holds an empty level, a `$` level, and the two encodings of "é" that must stay distinct
/// [MQTT-4.7.3-4].
struct RandomTopics {
    static let literalLevels = ["a", "b", "", "$s", "\u{E9}", "e\u{301}"]
    /// Beyond the base alphabet: enough levels to fill a `LevelMap` past its array, and long levels that share
    /// their first 16 bytes and their length, which only a full comparison tells apart.
    static let rareLevels = (0..<12).map { "x\($0)" } + ["0123456789abcdef-1", "0123456789abcdef-2"]

    var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    mutating func int(_ range: Range<Int>) -> Int {
        Int.random(in: range, using: &generator)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &generator) < probability
    }

    mutating func literalLevel() -> String {
        let alphabet = chance(0.25) ? Self.rareLevels : Self.literalLevels
        return alphabet[int(0..<alphabet.count)]
    }

    /// A topic of one to four levels.
    mutating func topic() -> TopicName {
        let levels = (0..<int(1..<5)).map { _ in literalLevel() }
        // One empty level would be the empty string, which is no topic.
        return TopicName(uncheckedString: levels == [""] ? "/" : levels.joined(separator: "/"))
    }

    /// A filter of one to four levels, a third of them `+`, ending with `#` one time in four.
    mutating func filter() -> TopicFilter {
        var levels = (0..<int(1..<5)).map { _ in chance(1.0 / 3.0) ? "+" : literalLevel() }
        if chance(0.25) {
            levels[levels.count - 1] = "#"
        }
        return TopicFilter(uncheckedString: levels == [""] ? "/" : levels.joined(separator: "/"))
    }
}

/// The UTF-8 bytes of each level, for comparing levels without normalization in test oracles.
func levelBytes(_ levels: TopicLevels) -> [[UInt8]] {
    levels.map { Array($0.utf8) }
}
