import Testing
import Topics

@Suite struct TopicFilterTests {
    @Test(
        "topic filter is accepted, with its wildcards noted (§4.7.1 examples)",
        arguments: [
            ("sport/tennis/player1/#", true), ("sport/#", true), ("#", true), ("sport/tennis/#", true),
            ("+", true), ("+/tennis/#", true), ("sport/+/player1", true), ("/+", true), ("+/+", true),
            ("$SYS/#", true), ("a/+/b/#", true), ("+/#", true), ("sport/tennis/player1", false), ("/", false),
            ("a//b", false), ("$share/g/a", false), ("Accounts payable", false),
        ]
    )
    func topicFilter_isAccepted_withWildcardsNoted(_ string: String, _ hasWildcards: Bool) throws {
        let filter = try TopicFilter(validating: string)
        #expect(filter.string == string)
        #expect(filter.hasWildcards == hasWildcards)
    }

    @Test("[MQTT-4.7.3-1] topic filter is rejected when empty")
    func topicFilter_isRejected_whenEmpty() {
        #expect(throws: TopicError.empty) { try TopicFilter(validating: "") }
    }

    @Test(
        "[MQTT-4.7.1-1] [MQTT-4.7.1-2] (3.1.1) topic filter is rejected when # is not alone in the last level",
        arguments: ["sport/tennis#", "sport/tennis/#/ranking", "#/a", "##", "a/#/", "#+", "a#", "a/b#/c"]
    )
    func topicFilter_isRejected_whenMultiLevelWildcardIsMisplaced(_ string: String) {
        #expect(throws: TopicError.misplacedMultiLevelWildcard) { try TopicFilter(validating: string) }
    }

    @Test(
        "[MQTT-4.7.1-2] [MQTT-4.7.1-3] (3.1.1) topic filter is rejected when + does not fill its level",
        arguments: ["sport+", "+sport", "a/+b", "a/b+/c", "++", "+#", "a/++/b"]
    )
    func topicFilter_isRejected_whenSingleLevelWildcardIsMisplaced(_ string: String) {
        #expect(throws: TopicError.misplacedSingleLevelWildcard) { try TopicFilter(validating: string) }
    }

    @Test(
        "[MQTT-4.7.3-2] topic filter is rejected when it holds U+0000",
        arguments: ["\u{0}", "a/\u{0}", "+/\u{0}/#"]
    )
    func topicFilter_isRejected_whenItHoldsNull(_ string: String) {
        #expect(throws: TopicError.nullCharacter) { try TopicFilter(validating: string) }
    }

    @Test("[MQTT-4.7.3-3] topic filter is accepted at 65,535 bytes and rejected above")
    func topicFilter_isLimited_to65535Bytes() throws {
        let longest = String(repeating: "a/", count: 32_766) + "+/#"
        #expect(longest.utf8.count == 65_535)
        #expect(try TopicFilter(validating: longest).hasWildcards)
        #expect(throws: TopicError.tooLong(byteCount: 65_536)) {
            try TopicFilter(validating: longest + "x")
        }
    }

    @Test("topic filter made from a topic name matches exactly that topic")
    func topicFilter_madeFromTopicName_matchesExactlyThatTopic() throws {
        let filter = TopicFilter(try TopicName(validating: "a/b"))
        #expect(!filter.hasWildcards)
        #expect(filter.matches(try TopicName(validating: "a/b")))
        #expect(!filter.matches(try TopicName(validating: "a/b/c")))
    }

    @Test("topic filter made unchecked notes its wildcards")
    func topicFilter_madeUnchecked_notesWildcards() throws {
        #expect(TopicFilter(uncheckedString: "a/+").hasWildcards)
        #expect(!TopicFilter(uncheckedString: "a/b").hasWildcards)
        #expect(TopicFilter(uncheckedString: "a/+") == (try TopicFilter(validating: "a/+")))
    }

    @Test("topic error describes what is wrong and names the statement")
    func topicError_describesWhatIsWrong() {
        #expect(TopicError.empty.description.contains("[MQTT-4.7.3-1]"))
        #expect(TopicError.tooLong(byteCount: 70_000).description.contains("70000"))
        #expect(TopicError.invalidShareName.description.contains("ShareName"))
    }
}
