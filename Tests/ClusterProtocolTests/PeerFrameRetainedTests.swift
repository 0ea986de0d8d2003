import ClusterProtocol
import MQTTCodec
import NIOCore
import Testing

/// RETAINED_UPDATES (40) and RETAINED_SNAPSHOT (41): the documented bytes, the limits, and one test per
/// class of malformed entry. Random round trips, byte-by-byte decoding, truncation at every offset and the
/// fuzzer cover both kinds through ``PeerFrameGenerator``.
@Suite struct PeerFrameRetainedTests {
    static let wall = bigEndian(UInt64(0x0000_0190_0000_0001))
    static let logical = bigEndian(UInt32(2))

    static var expiringPublish: MQTTPacket.Publish {
        var properties = MQTTProperties()
        properties.messageExpiryInterval = 60
        return MQTTPacket.Publish(
            topic: "t",
            payload: ByteBuffer(string: "hi"),
            qos: .atMostOnce,
            retain: true,
            properties: properties
        )
    }

    static let tombstone = PeerFrame.RetainedEntry(
        topic: "u",
        wallMilliseconds: 0x0000_0190_0000_0002,
        logical: 0,
        origin: "b",
        content: .tombstone
    )

    static let tombstoneBytes: [UInt8] =
        [0x00, 0x01, 0x75]  // topic "u"
        + [0, 0, 0x01, 0x90, 0, 0, 0, 0x02]  // timestamp: wall milliseconds
        + [0, 0, 0, 0]  // logical counter 0
        + [0x00, 0x01, 0x62]  // origin node "b"
        + [0x02]  // tombstone

    // MARK: Layout (cluster/PROTOCOL.md, "Retained messages")

    @Test func retainedUpdates_encodeToTheDocumentedBytes_andBack() {
        let frame = PeerFrame.retainedUpdates(
            PeerFrame.RetainedUpdates(entries: [
                PeerFrame.RetainedEntry(
                    topic: "t",
                    wallMilliseconds: 0x0000_0190_0000_0001,
                    logical: 2,
                    origin: "a",
                    content: .message(Self.expiringPublish)
                ),
                Self.tombstone,
            ])
        )
        let bytes: [UInt8] =
            [0, 0, 0, 0x3C, 0x28]  // length 60, type 40
            + [0, 0, 0, 2]  // 2 entries
            + [0x00, 0x01, 0x74]  // topic "t"
            + Self.wall + Self.logical  // timestamp
            + [0x00, 0x01, 0x61]  // origin node "a"
            + [0x01]  // message
            + [0, 0, 0, 0x0D]  // PUBLISH of 13 bytes
            + [0x31, 0x0B]  // PUBLISH, QoS 0, retain; remaining length 11
            + [0x00, 0x01, 0x74]  // topic "t"
            + [0x05, 0x02, 0, 0, 0, 0x3C]  // properties: Message Expiry Interval 60 s (time left)
            + [0x68, 0x69]  // payload "hi"
            + Self.tombstoneBytes
        #expect(encodedBytes([frame]) == bytes)
        #expect(decodeSingle(bytes) == frame)
    }

    @Test func retainedSnapshot_encodesToTheDocumentedBytes_andBack() {
        let frame = PeerFrame.retainedSnapshot(PeerFrame.RetainedSnapshot(isLast: true, entries: [Self.tombstone]))
        let bytes: [UInt8] =
            [0, 0, 0, 0x19, 0x29]  // length 25, type 41
            + [0x01]  // flags: last frame of the snapshot
            + [0, 0, 0, 1]  // 1 entry
            + Self.tombstoneBytes
        #expect(encodedBytes([frame]) == bytes)
        #expect(decodeSingle(bytes) == frame)
    }

    @Test func emptySnapshotFrames_roundTrip_lastOrNot() {
        for isLast in [true, false] {
            let frame = PeerFrame.retainedSnapshot(PeerFrame.RetainedSnapshot(isLast: isLast, entries: []))
            #expect(encodedBytes([frame]) == [0, 0, 0, 6, 0x29, isLast ? 1 : 0, 0, 0, 0, 0])
            #expect(decodeSingle(encodedBytes([frame])) == frame)
        }
    }

    @Test func qos1Message_isWrittenWithAPacketIdentifier() {
        var publish = Self.expiringPublish
        publish.qos = .atLeastOnce
        let entry = PeerFrame.RetainedEntry(
            topic: "t",
            wallMilliseconds: 1,
            logical: 0,
            origin: "a",
            content: .message(publish)
        )
        let decoded = decodeSingle(encodedBytes([.retainedUpdates(PeerFrame.RetainedUpdates(entries: [entry]))]))
        guard case .retainedUpdates(let updates)? = decoded, case .message(let carried) = updates.entries.first?.content
        else {
            Issue.record("not decoded: \(String(describing: decoded))")
            return
        }
        #expect(carried.qos == .atLeastOnce && carried.packetID == 1)
    }

    // MARK: Limits

    @Test func entryCount_atTheCap_roundTrips() {
        let entries = [PeerFrame.RetainedEntry](
            repeating: PeerFrame.RetainedEntry(
                topic: "",
                wallMilliseconds: 0,
                logical: 0,
                origin: "",
                content: .tombstone
            ),
            count: 65_536
        )
        let frame = PeerFrame.retainedSnapshot(PeerFrame.RetainedSnapshot(isLast: false, entries: entries))
        #expect(decodeSingle(encodedBytes([frame])) == frame)
    }

    @Test func entryCount_aboveTheCap_isRejected_evenWhenTheBytesWouldHoldIt() {
        let count = 65_537
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(1 + 4 + 17 * count))
        buffer.writeInteger(UInt8(40))
        buffer.writeInteger(UInt32(count))
        buffer.writeRepeatingByte(0, count: 17 * count)
        #expect(decodeOnce(&buffer, seed: 0) == .error(.tooMany(field: "retained entries", count: count)))
    }

    @Test func entryCount_largerThanTheBytesCouldHold_isRejected() {
        // 2 entries claimed, 33 bytes left: an entry takes at least 17.
        #expect(
            decodeError(rawFrame(type: 40, body: bigEndian(UInt32(2)) + [UInt8](repeating: 0, count: 33)))
                == .tooMany(field: "retained entries", count: 2)
        )
        #expect(
            decodeError(rawFrame(type: 41, body: [1] + bigEndian(UInt32.max)))
                == .tooMany(field: "retained entries", count: Int(UInt32.max))
        )
    }

    // MARK: Malformed

    @Test func truncatedFields_areRejected_byName() {
        let cases: [(body: [UInt8], field: String)] = [
            ([0, 0, 0], "entry count"),
            ([], "snapshot flags"),
            // Each body holds the 17 bytes an entry takes at least, so the count passes and the field is read.
            ([0, 0, 0, 1] + [0, 12] + [UInt8](repeating: 0, count: 15), "timestamp"),
            ([0, 0, 0, 1] + [0, 20, 0x61] + [UInt8](repeating: 0, count: 14), "retained topic"),
            ([0, 0, 0, 1] + [0, 5] + [UInt8](repeating: 0, count: 15), "logical counter"),
            ([0, 0, 0, 1] + [0, 0] + [UInt8](repeating: 0, count: 12) + [0, 9, 0], "origin node"),
            ([0, 0, 0, 1] + [0, 0] + [UInt8](repeating: 0, count: 12) + [0, 1, 0x61], "entry kind"),
            ([0, 0, 0, 1] + [0, 0] + [UInt8](repeating: 0, count: 12) + [0, 0, 1, 0, 0], "publish length"),
            ([0, 0, 0, 1] + [0, 0] + [UInt8](repeating: 0, count: 12) + [0, 0, 1, 0, 0, 0, 9, 0x31], "publish"),
        ]
        for (body, field) in cases {
            let type: UInt8 = field == "snapshot flags" ? 41 : 40
            #expect(decodeError(rawFrame(type: type, body: body)) == .truncated(field: field), "\(field)")
        }
    }

    @Test(arguments: [0, 3, 0xFF] as [UInt8])
    func unknownEntryKind_isRejected(kind: UInt8) {
        var entry = Self.tombstoneBytes
        entry[entry.count - 1] = kind
        #expect(
            decodeError(rawFrame(type: 40, body: [0, 0, 0, 1] + entry))
                == .invalidValue(field: "entry kind", value: UInt64(kind))
        )
    }

    @Test(arguments: [0x02, 0x80, 0xFF] as [UInt8])
    func unknownSnapshotFlags_areRejected(flags: UInt8) {
        #expect(
            decodeError(rawFrame(type: 41, body: [flags, 0, 0, 0, 0]))
                == .invalidValue(field: "snapshot flags", value: UInt64(flags))
        )
    }

    @Test func publishWithAnotherTopic_isRejected() {
        let entry =
            [0x00, 0x01, 0x75]  // entry topic "u"
            + Self.wall + Self.logical + [0x00, 0x01, 0x61, 0x01]
            + [0, 0, 0, 6, 0x31, 0x04, 0x00, 0x01, 0x74, 0x00]  // PUBLISH to "t"
        #expect(
            decodeError(rawFrame(type: 40, body: [0, 0, 0, 1] + entry))
                == .invalidPublish("topic differs from the entry's")
        )
    }

    @Test func embeddedPacket_otherThanOnePublish_isRejected() {
        for packet: [UInt8] in [[0xC0, 0x00], [0x31, 0x04, 0x00, 0x01, 0x74, 0x00, 0xC0, 0x00]] {
            let entry =
                [0x00, 0x01, 0x74] + Self.wall + Self.logical + [0x00, 0x01, 0x61, 0x01]
                + bigEndian(UInt32(packet.count)) + packet
            guard case .invalidPublish = decodeError(rawFrame(type: 40, body: [0, 0, 0, 1] + entry)) else {
                Issue.record("accepted \(packet)")
                continue
            }
        }
    }

    @Test func bytesAfterTheLastEntry_areRejected() {
        #expect(decodeError(rawFrame(type: 40, body: [0, 0, 0, 1] + Self.tombstoneBytes + [0])) == .trailingBytes(1))
    }
}
