import Testing
import Topics

@Suite struct SubscriptionTargetTests {
    @Test(
        "subscription target is normal when there is no $share or $exclusive level (prefixes are case-sensitive)",
        arguments: ["a/b", "#", "$SYS/#", "$SHARE/g/a", "$sharegroup/a", "$Exclusive/a", "a/$share/g/b"]
    )
    func subscriptionTarget_isNormal_withoutPrefix(_ string: String) throws {
        let target = try SubscriptionTarget(parsing: string)
        #expect(target == .normal(try TopicFilter(validating: string)))
        #expect(target.filter.string == string)
    }

    @Test(
        "[MQTT-4.8.2-1] [MQTT-4.8.2-2] subscription target is shared, with group and filter split",
        arguments: [
            ("$share/g/a/b", "g", "a/b"), ("$share/group/#", "group", "#"), ("$share/g/+", "g", "+"),
            ("$share/g//", "g", "/"), ("$share/g/$SYS/#", "g", "$SYS/#"), ("$share/consumer-1/a", "consumer-1", "a"),
            ("$share/$share/a", "$share", "a"),
        ]
    )
    func subscriptionTarget_isShared_withGroupAndFilterSplit(_ string: String, _ group: String, _ filter: String) throws
    {
        let target = try SubscriptionTarget(parsing: string)
        #expect(target == .shared(group: group, filter: try TopicFilter(validating: filter)))
        #expect(target.filter.string == filter)
    }

    @Test(
        "[MQTT-4.8.2-1] shared subscription is rejected when its ShareName is empty",
        arguments: ["$share", "$share/", "$share//a", "$share//"]
    )
    func sharedSubscription_isRejected_whenShareNameIsEmpty(_ string: String) {
        #expect(throws: TopicError.emptyShareName) { try SubscriptionTarget(parsing: string) }
    }

    @Test(
        "[MQTT-4.8.2-2] shared subscription is rejected when its ShareName holds + or #",
        arguments: ["$share/g+/a", "$share/#/a", "$share/+/a", "$share/g#x/a", "$share/+"]
    )
    func sharedSubscription_isRejected_whenShareNameHoldsWildcard(_ string: String) {
        #expect(throws: TopicError.invalidShareName) { try SubscriptionTarget(parsing: string) }
    }

    @Test(
        "[MQTT-4.8.2-2] shared subscription is rejected when no / and topic filter follow the ShareName",
        arguments: ["$share/group", "$share/group/"]
    )
    func sharedSubscription_isRejected_whenFilterIsMissing(_ string: String) {
        #expect(throws: TopicError.missingSharedFilter) { try SubscriptionTarget(parsing: string) }
    }

    @Test(
        "shared subscription is rejected when its filter is not a valid topic filter",
        arguments: [
            ("$share/g/a#", TopicError.misplacedMultiLevelWildcard),
            ("$share/g/a+", TopicError.misplacedSingleLevelWildcard),
            ("$share/g/a\u{0}", TopicError.nullCharacter),
            ("$share/g\u{0}/a", TopicError.nullCharacter),
        ]
    )
    func sharedSubscription_isRejected_whenFilterIsInvalid(_ string: String, _ error: TopicError) {
        #expect(throws: error) { try SubscriptionTarget(parsing: string) }
    }

    @Test(
        "subscription target is exclusive, with the prefix removed",
        arguments: [
            ("$exclusive/a/#", "a/#"), ("$exclusive/+", "+"), ("$exclusive//", "/"), ("$exclusive/$SYS/x", "$SYS/x"),
        ]
    )
    func subscriptionTarget_isExclusive_withPrefixRemoved(_ string: String, _ filter: String) throws {
        let target = try SubscriptionTarget(parsing: string)
        #expect(target == .exclusive(try TopicFilter(validating: filter)))
        #expect(target.filter.string == filter)
    }

    @Test("exclusive subscription is rejected when no filter follows", arguments: ["$exclusive", "$exclusive/"])
    func exclusiveSubscription_isRejected_whenFilterIsMissing(_ string: String) {
        #expect(throws: TopicError.missingExclusiveFilter) { try SubscriptionTarget(parsing: string) }
    }

    @Test("exclusive subscription is rejected when its filter is not a valid topic filter")
    func exclusiveSubscription_isRejected_whenFilterIsInvalid() {
        #expect(throws: TopicError.misplacedSingleLevelWildcard) { try SubscriptionTarget(parsing: "$exclusive/a+") }
    }

    @Test("[MQTT-4.7.3-1] [MQTT-4.7.3-3] subscription target is rejected when empty or above 65,535 bytes in all")
    func subscriptionTarget_isRejected_whenEmptyOrTooLong() {
        #expect(throws: TopicError.empty) { try SubscriptionTarget(parsing: "") }
        let tooLong = "$share/g/" + String(repeating: "a", count: 65_535 - 8)
        #expect(throws: TopicError.tooLong(byteCount: 65_536)) { try SubscriptionTarget(parsing: tooLong) }
    }
}
