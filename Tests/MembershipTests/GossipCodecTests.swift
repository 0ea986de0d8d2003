import Membership
import Testing

@Suite struct GossipCodecTests {
    static let alice = NodeIdentity(name: "a", bootID: 0x0102_0304_0506_0708, address: "h:1")

    static let messages: [GossipMessage] = [
        GossipMessage(
            clusterName: "c",
            senderName: "s",
            kind: .ping(.init(sequence: 7, targetName: "a", targetBootID: 9)),
            updates: [MemberUpdate(identity: alice, state: .suspect, incarnation: 3, reporter: "s")]
        ),
        GossipMessage(
            clusterName: "prod",
            senderName: "starling-1",
            kind: .pingRequest(.init(sequence: .max, target: alice, wantsNack: true))
        ),
        GossipMessage(
            clusterName: "prod",
            senderName: "starling-1",
            kind: .pingRequest(.init(sequence: 0, target: alice, wantsNack: false))
        ),
        GossipMessage(clusterName: "prod", senderName: "é", kind: .ack(.init(sequence: 1))),
        GossipMessage(clusterName: "prod", senderName: "x", kind: .nack(.init(sequence: 2))),
        GossipMessage(
            clusterName: "prod",
            senderName: "x",
            kind: .gossip,
            updates: MemberState.allCases.map { MemberUpdate(identity: alice, state: $0, incarnation: .max) }
        ),
    ]

    @Test("every gossip message kind survives encode then decode", arguments: messages)
    func message_roundTrips(_ message: GossipMessage) throws {
        let bytes = try GossipCodec.encode(message)
        #expect(try GossipCodec.decodeMessage(bytes) == message)
    }

    @Test("a push-pull payload survives encode then decode", arguments: [true, false])
    func pushPull_roundTrips(isJoin: Bool) throws {
        let members = (0..<300).map { index in
            MemberUpdate(
                identity: NodeIdentity(
                    name: "node-\(index)",
                    bootID: UInt64(index) * 977,
                    address: "10.0.0.\(index):7946"
                ),
                state: MemberState(rawValue: UInt8(index % 4))!,
                incarnation: UInt64(index)
            )
        }
        let payload = PushPullPayload(clusterName: "prod", senderName: "node-0", isJoin: isJoin, members: members)
        #expect(try GossipCodec.decodePushPull(GossipCodec.encode(payload)) == payload)
    }

    @Test("a ping is laid out byte for byte as cluster/PROTOCOL.md says")
    func ping_matchesDocumentedLayout() throws {
        let message = Self.messages[0]
        let expected: [UInt8] = [
            0x53, 0x4D,  // magic "SM"
            0x01,  // version
            0x01,  // kind: ping
            0x01, 0x63,  // cluster name "c"
            0x01, 0x73,  // sender name "s"
            0x00, 0x00, 0x00, 0x07,  // sequence 7
            0x01, 0x61,  // target name "a"
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  // target boot id 9
            0x01,  // one update
            0x01, 0x61,  // name "a"
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // boot id
            0x03, 0x68, 0x3A, 0x31,  // address "h:1"
            0x01,  // state: suspect
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,  // incarnation 3
            0x01, 0x73,  // reporter "s"
        ]
        #expect(try GossipCodec.encode(message) == expected)
    }

    @Test("every truncation of a valid message is rejected as truncated or too many members")
    func truncatedMessage_isRejected() throws {
        for message in Self.messages {
            let bytes = try GossipCodec.encode(message)
            for length in 0..<bytes.count {
                #expect(throws: GossipCodecError.self) { try GossipCodec.decodeMessage(Array(bytes.prefix(length))) }
            }
        }
    }

    @Test("trailing bytes after a message are rejected")
    func trailingBytes_areRejected() throws {
        let bytes = try GossipCodec.encode(Self.messages[3]) + [0]
        #expect(throws: GossipCodecError.trailingBytes(1)) { try GossipCodec.decodeMessage(bytes) }
    }

    @Test("header errors are typed: magic, version, kind")
    func headerErrors_areTyped() throws {
        let bytes = try GossipCodec.encode(Self.messages[3])
        var badMagic = bytes
        badMagic[0] = 0x00
        #expect(throws: GossipCodecError.badMagic) { try GossipCodec.decodeMessage(badMagic) }
        var badVersion = bytes
        badVersion[2] = 9
        #expect(throws: GossipCodecError.unsupportedVersion(9)) { try GossipCodec.decodeMessage(badVersion) }
        var badKind = bytes
        badKind[3] = 0x7F
        #expect(throws: GossipCodecError.unknownMessageKind(0x7F)) { try GossipCodec.decodeMessage(badKind) }
        // A push-pull payload is not a datagram, and a datagram is not a push-pull payload.
        var pushPullKind = bytes
        pushPullKind[3] = 0x10
        #expect(throws: GossipCodecError.unknownMessageKind(0x10)) { try GossipCodec.decodeMessage(pushPullKind) }
        #expect(throws: GossipCodecError.unknownMessageKind(3)) { try GossipCodec.decodePushPull(bytes) }
    }

    @Test("field errors are typed: empty name, invalid UTF-8, state, flags")
    func fieldErrors_areTyped() throws {
        let ack = try GossipCodec.encode(Self.messages[4])
        var emptySender = ack
        emptySender.replaceSubrange(9..<11, with: [0x00])  // sender "x" → ""
        #expect(throws: GossipCodecError.emptyString) { try GossipCodec.decodeMessage(emptySender) }
        var invalidUTF8 = ack
        invalidUTF8[10] = 0xFF  // sender "x" → 0xFF
        #expect(throws: GossipCodecError.invalidUTF8) { try GossipCodec.decodeMessage(invalidUTF8) }

        var ping = try GossipCodec.encode(Self.messages[0])
        ping[ping.count - 11] = 4  // the update's state
        #expect(throws: GossipCodecError.invalidMemberState(4)) { try GossipCodec.decodeMessage(ping) }

        var request = try GossipCodec.encode(Self.messages[1])
        request[4 + 5 + 11 + 4] = 0x03  // flags after the sequence
        #expect(throws: GossipCodecError.unknownFlags(0x03)) { try GossipCodec.decodeMessage(request) }
    }

    @Test("a member count above what the bytes could hold is rejected before allocating")
    func hugeMemberCount_isRejected() throws {
        let payload = PushPullPayload(clusterName: "c", senderName: "s", isJoin: false, members: [])
        var bytes = try GossipCodec.encode(payload)
        bytes.replaceSubrange((bytes.count - 4)..<bytes.count, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: GossipCodecError.tooManyMembers(0xFFFF_FFFF)) { try GossipCodec.decodePushPull(bytes) }
        var datagram = try GossipCodec.encode(Self.messages[3])
        datagram[datagram.count - 1] = 200
        #expect(throws: GossipCodecError.tooManyMembers(200)) { try GossipCodec.decodeMessage(datagram) }
    }

    @Test("strings longer than 255 bytes cannot be encoded; 255 can")
    func longStrings_areRejectedWhenEncoding() throws {
        let longest = String(repeating: "n", count: 255)
        let fits = GossipMessage(clusterName: longest, senderName: longest, kind: .ack(.init(sequence: 1)))
        #expect(try GossipCodec.decodeMessage(GossipCodec.encode(fits)) == fits)
        let tooLong = GossipMessage(clusterName: longest + "n", senderName: "s", kind: .ack(.init(sequence: 1)))
        #expect(throws: GossipCodecError.stringTooLong(256)) { try GossipCodec.encode(tooLong) }
    }
}

extension GossipMessage: CustomTestStringConvertible {
    public var testDescription: String {
        "\(kind) with \(updates.count) updates"
    }
}
