import Testing
import Topics

@Suite struct TopicNameTests {
    @Test(
        "topic name keeps the string when valid (§4.7.3: spaces, case, empty levels, $ and non-ASCII allowed)",
        arguments: ["a", "/", "//", "/finance", "sport/", "Accounts payable", "ACCOUNTS", "$SYS/broker/uptime", "é/ü"]
    )
    func topicName_keepsString_whenValid(_ string: String) throws {
        let topic = try TopicName(validating: string)
        #expect(topic.string == string)
        #expect(topic.description == string)
    }

    @Test("[MQTT-4.7.3-1] topic name is rejected when empty")
    func topicName_isRejected_whenEmpty() {
        #expect(throws: TopicError.empty) { try TopicName(validating: "") }
    }

    @Test(
        "[MQTT-4.7.0-1] [MQTT-4.7.1-1] (3.1.1) [MQTT-3.3.2-2] topic name is rejected when it holds a wildcard",
        arguments: ["+", "#", "a/+", "a/#", "sport+", "sport/tennis#", "#/a", "a/b+c/d"]
    )
    func topicName_isRejected_whenItHoldsAWildcard(_ string: String) {
        #expect(throws: TopicError.wildcardInTopicName) { try TopicName(validating: string) }
    }

    @Test(
        "[MQTT-4.7.3-2] topic name is rejected when it holds U+0000",
        arguments: ["\u{0}", "a\u{0}", "a/\u{0}/b", "\u{0}/a"]
    )
    func topicName_isRejected_whenItHoldsNull(_ string: String) {
        #expect(throws: TopicError.nullCharacter) { try TopicName(validating: string) }
    }

    @Test("[MQTT-4.7.3-3] topic name is accepted at 65,535 UTF-8 bytes, counting bytes rather than characters")
    func topicName_isAccepted_atMaximumByteCount() throws {
        // 21,845 three-byte characters are 65,535 bytes.
        let string = String(repeating: "€", count: 21_845)
        #expect(string.utf8.count == 65_535)
        #expect(try TopicName(validating: string).string == string)
    }

    @Test("[MQTT-4.7.3-3] topic name is rejected above 65,535 UTF-8 bytes")
    func topicName_isRejected_aboveMaximumByteCount() {
        #expect(throws: TopicError.tooLong(byteCount: 65_536)) {
            try TopicName(validating: String(repeating: "a", count: 65_536))
        }
        #expect(throws: TopicError.tooLong(byteCount: 65_538)) {
            try TopicName(validating: String(repeating: "€", count: 21_846))
        }
    }

    @Test(
        "topic name splits into levels, empty ones included (§4.7.1.1)",
        arguments: [
            ("sport/tennis/player1", ["sport", "tennis", "player1"]),
            ("/finance", ["", "finance"]),
            ("/", ["", ""]),
            ("a//b", ["a", "", "b"]),
            ("sport/", ["sport", ""]),
            ("a", ["a"]),
        ]
    )
    func topicName_splitsIntoLevels(_ string: String, _ expected: [String]) throws {
        let levels = try TopicName(validating: string).levels.map(String.init)
        #expect(levels == expected)
    }

    @Test(
        "topic name is a system topic when it starts with $",
        arguments: [("$SYS/broker", true), ("$", true), ("$share/g/a", true), ("a/$SYS", false), ("SYS", false)]
    )
    func topicName_isSystemTopic_whenItStartsWithDollar(_ string: String, _ expected: Bool) throws {
        #expect(try TopicName(validating: string).isSystemTopic == expected)
    }

    @Test("[MQTT-4.7.3-4] topic names differ when canonically equivalent but encoded differently")
    func topicName_differs_whenOnlyCanonicallyEquivalent() throws {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        // Swift's String calls these equal; MQTT must not normalize, so the topics are different.
        #expect(composed == decomposed)
        let topics = Set([try TopicName(validating: composed), try TopicName(validating: decomposed)])
        #expect(topics.count == 2)
    }

    @Test("topic names differ when only their case differs (§4.7.3)")
    func topicName_differs_whenOnlyCaseDiffers() throws {
        #expect(try TopicName(validating: "ACCOUNTS") != TopicName(validating: "Accounts"))
    }

    @Test("topic name made unchecked equals the validated one")
    func topicName_madeUnchecked_equalsValidated() throws {
        #expect(TopicName(uncheckedString: "a/b") == (try TopicName(validating: "a/b")))
    }
}
