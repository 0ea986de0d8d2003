import Broker
import ClusterProtocol
import MQTTCodec
import NIOCore
import Testing
import Topics

@testable import Cluster

/// How retained writes become frames: the conversions both ways, and the split into frames that stay far
/// below the 16 MiB frame cap.
@Suite("Retained replication frames")
struct RetainedReplicationTests {
    static let version = RetainedVersion(
        timestamp: HybridLogicalClock.Timestamp(wallMilliseconds: 1_700_000_000_000, logical: 3),
        origin: "node-a"
    )

    static func entry(payloadBytes: Int, topic: String = "t") -> PeerFrame.RetainedEntry {
        PeerFrame.RetainedEntry(
            topic: topic,
            wallMilliseconds: 1,
            logical: 0,
            origin: "node-a",
            content: .message(
                MQTTPacket.Publish(
                    topic: topic,
                    payload: ByteBuffer(repeating: 0x61, count: payloadBytes),
                    retain: true
                )
            )
        )
    }

    @Test func message_goesOnTheWireRetained_withItsVersion_andTheExpiryItHasLeft() throws {
        let now = NIODeadline.now()
        let message = Message(
            topic: try TopicName(validating: "a/b"),
            payload: ByteBuffer(string: "x"),
            qos: .atLeastOnce,
            retain: true,
            expiresAt: now + .seconds(90)
        )
        let update = RetainedUpdate(topic: message.topic, version: Self.version, message: message)
        let entry = RetainedReplication.entry(from: update)
        #expect(entry.topic == "a/b" && entry.origin == "node-a")
        #expect(entry.wallMilliseconds == 1_700_000_000_000 && entry.logical == 3)
        guard case .message(let publish) = entry.content else {
            Issue.record("not a message: \(entry)")
            return
        }
        #expect(publish.retain && publish.qos == .atLeastOnce)
        let expiry = try #require(publish.properties.messageExpiryInterval)
        #expect((89...90).contains(expiry))

        let back = try #require(RetainedReplication.update(from: entry, now: now))
        #expect(back.version == Self.version && back.topic == message.topic)
        #expect(back.message.map { String(buffer: $0.payload) } == "x")
    }

    @Test func expiredMessage_goesAsATombstoneOfItsVersion() throws {
        let message = Message(
            topic: try TopicName(validating: "gone"),
            payload: ByteBuffer(string: "x"),
            qos: .atMostOnce,
            retain: true,
            expiresAt: .now() - .seconds(1)
        )
        let entry = RetainedReplication.entry(
            from: RetainedUpdate(topic: message.topic, version: Self.version, message: message)
        )
        #expect(entry.content == .tombstone)
        #expect(RetainedReplication.update(from: entry, now: .now())?.isTombstone == true)
    }

    @Test func entryWithAnInvalidTopicName_isNotApplied() {
        let tombstone = PeerFrame.RetainedEntry(
            topic: "a/+",
            wallMilliseconds: 1,
            logical: 0,
            origin: "node-a",
            content: .tombstone
        )
        #expect(RetainedReplication.update(from: tombstone, now: .now()) == nil)
    }

    @Test func chunks_holdAtMost1024Entries() {
        let entries = (0..<3_000).map { Self.entry(payloadBytes: 10, topic: "t/\($0)") }
        let chunks = RetainedReplication.chunks(entries)
        #expect(chunks.map(\.count) == [1024, 1024, 952])
        #expect(chunks.flatMap { $0 } == entries)
    }

    @Test func chunks_stayFarBelowTheFrameCap_withLargeMessages() {
        let entries = (0..<40).map { Self.entry(payloadBytes: 300_000, topic: "big/\($0)") }
        let chunks = RetainedReplication.chunks(entries)
        for chunk in chunks {
            var buffer = ByteBuffer()
            PeerFrameCodec.encode(
                .retainedSnapshot(PeerFrame.RetainedSnapshot(isLast: false, entries: chunk)),
                into: &buffer
            )
            #expect(
                buffer.readableBytes <= (1 << 20) + 400_000,
                "\(chunk.count) entries, \(buffer.readableBytes) bytes"
            )
        }
        #expect(chunks.flatMap { $0 } == entries)
        // One message larger than the target size still goes, alone in its frame.
        let huge = RetainedReplication.chunks([Self.entry(payloadBytes: 10), Self.entry(payloadBytes: 3 << 20)])
        #expect(huge.map(\.count) == [1, 1])
    }
}
