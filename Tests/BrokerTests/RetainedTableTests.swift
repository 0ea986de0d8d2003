import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing
import Topics

@testable import Broker

/// The merge rules of the retained store, driven with hand-picked wall and monotonic times.
@Suite("RetainedTable")
struct RetainedTableTests {
    static let day = RetainedTombstonePolicy(maximumAge: .seconds(86_400), maximumCount: 100)
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    private func topic(_ name: String) -> TopicName { try! TopicName(validating: name) }

    private func message(_ topic: String, _ payload: String, expiresAt: NIODeadline? = nil) -> Message {
        Message(
            topic: self.topic(topic),
            payload: ByteBuffer(string: payload),
            qos: .atMostOnce,
            retain: true,
            expiresAt: expiresAt
        )
    }

    private func version(_ wall: UInt64, _ logical: UInt32 = 0, _ origin: String = "node-b") -> RetainedVersion {
        RetainedVersion(
            timestamp: HybridLogicalClock.Timestamp(wallMilliseconds: wall, logical: logical),
            origin: origin
        )
    }

    private func set(_ topic: String, _ payload: String, _ version: RetainedVersion) -> RetainedUpdate {
        RetainedUpdate(topic: self.topic(topic), version: version, message: message(topic, payload))
    }

    private func clear(_ topic: String, _ version: RetainedVersion) -> RetainedUpdate {
        RetainedUpdate(topic: self.topic(topic), version: version, message: nil)
    }

    private func payloads(_ table: inout RetainedTable, _ filter: String = "#", wall: UInt64 = 0) -> [String] {
        table.messages(matching: try! TopicFilter(validating: filter), now: Self.start, wallMilliseconds: wall)
            .map { String(buffer: $0.payload) }.sorted()
    }

    private func replicated(capacity: Int = 100, policy: RetainedTombstonePolicy = day) -> RetainedTable {
        RetainedTable(capacity: capacity, node: "node-a", tombstonePolicy: policy)
    }

    // MARK: One node

    @Test("[MQTT-3.3.1-10] outside a cluster a clear removes the message and leaves no tombstone")
    func clear_removesWithoutTombstone_whenNotReplicated() {
        var table = RetainedTable(capacity: 10, node: "local")
        #expect(table.writeLocal(message("a", "1"), wallMilliseconds: 1) == .stored(version(1, 0, "local")))
        #expect(table.writeLocal(message("a", ""), wallMilliseconds: 2) == .cleared(version(2, 0, "local")))
        #expect(table.entry(for: topic("a")) == nil)
        #expect(table.messageCount == 0 && table.tombstoneCount == 0)
    }

    @Test func localWrite_isRejected_whenFullAndTheTopicIsNew_butMayReplace() {
        var table = RetainedTable(capacity: 1, node: "local")
        #expect(table.writeLocal(message("a", "1"), wallMilliseconds: 1) == .stored(version(1, 0, "local")))
        #expect(table.writeLocal(message("b", "1"), wallMilliseconds: 2) == .rejectedFull)
        #expect(table.writeLocal(message("a", "2"), wallMilliseconds: 3) == .stored(version(3, 0, "local")))
        #expect(payloads(&table) == ["2"])
    }

    // MARK: Last writer wins

    @Test func remoteWrite_applies_onlyWhenNewer() {
        var table = replicated()
        #expect(table.writeRemote(set("t", "v2", version(200)), wallMilliseconds: 0, now: Self.start) == .applied)
        #expect(table.writeRemote(set("t", "v1", version(100)), wallMilliseconds: 0, now: Self.start) == .stale)
        #expect(table.writeRemote(set("t", "v2", version(200)), wallMilliseconds: 0, now: Self.start) == .duplicate)
        #expect(payloads(&table) == ["v2"])
        #expect(table.writeRemote(set("t", "v3", version(200, 1)), wallMilliseconds: 0, now: Self.start) == .applied)
        #expect(payloads(&table) == ["v3"])
    }

    @Test func equalTimestamps_areSettledByOrigin_whateverTheArrivalOrder() {
        let fromA = set("t", "from-a", version(500, 0, "node-a"))
        let fromB = set("t", "from-b", version(500, 0, "node-b"))
        var first = replicated()
        _ = first.writeRemote(fromA, wallMilliseconds: 0, now: Self.start)
        _ = first.writeRemote(fromB, wallMilliseconds: 0, now: Self.start)
        var second = replicated()
        _ = second.writeRemote(fromB, wallMilliseconds: 0, now: Self.start)
        #expect(second.writeRemote(fromA, wallMilliseconds: 0, now: Self.start) == .stale)
        #expect(payloads(&first) == ["from-b"])
        #expect(payloads(&second) == ["from-b"])
    }

    @Test func localWrite_followsEverythingMerged_evenWithTheWallClockBehind() {
        var table = replicated()
        // A peer a minute ahead wrote the topic; this node's wall clock reads 1,000.
        _ = table.writeRemote(
            set("t", "remote", version(61_000, 4, "node-z")),
            wallMilliseconds: 1_000,
            now: Self.start
        )
        guard case .stored(let local) = table.writeLocal(message("t", "local"), wallMilliseconds: 1_001) else {
            Issue.record("local write not stored")
            return
        }
        #expect(local > version(61_000, 4, "node-z"))
        #expect(local.origin == "node-a")
        #expect(payloads(&table) == ["local"])
    }

    @Test func remoteWrite_mergesTheClock_evenWhenStale() {
        var table = replicated()
        _ = table.writeRemote(set("t", "new", version(9_000)), wallMilliseconds: 0, now: Self.start)
        #expect(table.writeRemote(set("t", "old", version(8_000, 77)), wallMilliseconds: 0, now: Self.start) == .stale)
        #expect(table.clock.last > version(9_000).timestamp)
    }

    // MARK: Tombstones

    @Test func tombstone_blocksAnOlderMessage_andIsNeverDelivered() {
        var table = replicated()
        _ = table.writeRemote(set("t", "old", version(100)), wallMilliseconds: 0, now: Self.start)
        #expect(table.writeRemote(clear("t", version(300)), wallMilliseconds: 0, now: Self.start) == .applied)
        #expect(payloads(&table).isEmpty)
        #expect(table.tombstoneCount == 1 && table.messageCount == 0)
        // The set from before the clear arrives late (a snapshot from a node that missed the clear).
        #expect(table.writeRemote(set("t", "old", version(200)), wallMilliseconds: 0, now: Self.start) == .stale)
        #expect(payloads(&table).isEmpty)
        #expect(table.writeRemote(set("t", "newer", version(400)), wallMilliseconds: 0, now: Self.start) == .applied)
        #expect(payloads(&table) == ["newer"])
        #expect(table.tombstoneCount == 0 && table.messageCount == 1)
    }

    @Test func tombstones_doNotCountTowardCapacity() {
        var table = replicated(capacity: 1)
        _ = table.writeLocal(message("a", "1"), wallMilliseconds: 10)
        _ = table.writeLocal(message("a", ""), wallMilliseconds: 11)
        #expect(table.tombstoneCount == 1)
        #expect(table.writeLocal(message("b", "1"), wallMilliseconds: 12) == .stored(version(12, 0, "node-a")))
        #expect(table.messageCount == 1)
    }

    @Test func remoteSet_isRejectedAndReported_whenFull() {
        var table = replicated(capacity: 1)
        _ = table.writeLocal(message("mine", "1"), wallMilliseconds: 10)
        #expect(
            table.writeRemote(set("theirs", "x", version(20)), wallMilliseconds: 0, now: Self.start) == .rejectedFull
        )
        // A newer message for a topic already held still replaces it, and a clear is always taken.
        #expect(table.writeRemote(set("mine", "2", version(30)), wallMilliseconds: 0, now: Self.start) == .applied)
        #expect(table.writeRemote(clear("theirs", version(40)), wallMilliseconds: 0, now: Self.start) == .applied)
        #expect(payloads(&table) == ["2"])
    }

    @Test func tombstone_expires_atItsMaximumAge() {
        var table = replicated(policy: RetainedTombstonePolicy(maximumAge: .seconds(60), maximumCount: 100))
        _ = table.writeRemote(clear("t", version(1_000)), wallMilliseconds: 1_000, now: Self.start)
        #expect(table.expireTombstones(wallMilliseconds: 60_999) == 0)
        #expect(table.tombstoneCount == 1)
        #expect(table.expireTombstones(wallMilliseconds: 61_000) == 1)
        #expect(table.tombstoneCount == 0 && table.entry(for: topic("t")) == nil)
        #expect(table.counters.tombstonesExpired == 1)
    }

    @Test func tombstone_pastItsAge_stillClearsAnOlderMessage_butIsNotKept() {
        var table = replicated(policy: RetainedTombstonePolicy(maximumAge: .seconds(60), maximumCount: 100))
        _ = table.writeRemote(set("t", "old", version(1_000)), wallMilliseconds: 1_000, now: Self.start)
        #expect(table.writeRemote(clear("t", version(2_000)), wallMilliseconds: 500_000, now: Self.start) == .applied)
        #expect(table.entry(for: topic("t")) == nil)
        #expect(table.messageCount == 0 && table.tombstoneCount == 0)
    }

    @Test func tombstones_pastTheMaximumCount_dropTheOldestVersion() {
        var table = replicated(policy: RetainedTombstonePolicy(maximumAge: .seconds(86_400), maximumCount: 3))
        // Arrival order is not version order: the oldest version goes first.
        for (name, wall) in [("c", 300), ("a", 100), ("d", 400), ("b", 200)] {
            _ = table.writeRemote(clear(name, version(UInt64(wall))), wallMilliseconds: 500, now: Self.start)
        }
        #expect(table.tombstoneCount == 3)
        #expect(table.entry(for: topic("a")) == nil)
        #expect(table.entry(for: topic("b")) != nil)
        #expect(table.counters.tombstonesDropped == 1)
    }

    @Test func replacedTombstones_doNotCountAgainstTheBound() {
        var table = replicated(policy: RetainedTombstonePolicy(maximumAge: .seconds(86_400), maximumCount: 2))
        // One topic cleared, set and cleared again many times holds one tombstone, never dropped.
        for round in 0..<5_000 {
            _ = table.writeLocal(message("flap", "x"), wallMilliseconds: UInt64(2 * round))
            _ = table.writeLocal(message("flap", ""), wallMilliseconds: UInt64(2 * round + 1))
        }
        _ = table.writeLocal(message("other", ""), wallMilliseconds: 20_000)
        #expect(table.tombstoneCount == 2)
        #expect(table.counters.tombstonesDropped == 0)
    }

    @Test("[MQTT-3.3.2-5] an expired retained message is not delivered, and becomes a tombstone of its version")
    func expiredMessage_becomesTombstone() {
        var table = replicated()
        let update = RetainedUpdate(
            topic: topic("t"),
            version: version(1_000),
            message: message("t", "short-lived", expiresAt: Self.start + .seconds(5))
        )
        _ = table.writeRemote(update, wallMilliseconds: 1_000, now: Self.start)
        let later = table.messages(
            matching: try! TopicFilter(validating: "t"),
            now: Self.start + .seconds(5),
            wallMilliseconds: 6_000
        )
        #expect(later.isEmpty)
        #expect(table.entry(for: topic("t"))?.version == version(1_000))
        #expect(table.entry(for: topic("t"))?.message == nil)
        #expect(table.writeRemote(set("t", "older", version(900)), wallMilliseconds: 6_000, now: Self.start) == .stale)
    }

    @Test func snapshot_holdsTombstones_givesExpiredMessagesAsTombstones_andLeavesOutAgedTombstones() {
        var table = replicated(policy: RetainedTombstonePolicy(maximumAge: .seconds(60), maximumCount: 100))
        _ = table.writeRemote(set("live", "x", version(100_000)), wallMilliseconds: 100_000, now: Self.start)
        _ = table.writeRemote(clear("cleared", version(100_001)), wallMilliseconds: 100_000, now: Self.start)
        _ = table.writeRemote(clear("aged", version(90_000)), wallMilliseconds: 100_000, now: Self.start)
        let expiring = RetainedUpdate(
            topic: topic("expiring"),
            version: version(100_002),
            message: message("expiring", "y", expiresAt: Self.start + .seconds(1))
        )
        _ = table.writeRemote(expiring, wallMilliseconds: 100_000, now: Self.start)
        let snapshot = table.snapshot(now: Self.start + .seconds(2), wallMilliseconds: 150_500)
        let byTopic = Dictionary(uniqueKeysWithValues: snapshot.map { ($0.topic.string, $0) })
        #expect(Set(byTopic.keys) == ["live", "cleared", "expiring"])
        #expect(byTopic["live"]?.message != nil)
        #expect(byTopic["cleared"]?.isTombstone == true)
        #expect(byTopic["expiring"]?.isTombstone == true && byTopic["expiring"]?.version == version(100_002))
    }

    // MARK: Convergence

    @Test func replicas_converge_whateverOrderTheyHearTheWritesIn() {
        var random = SeededRandom(seed: 0x5245_5441)
        let topics = ["a", "a/b", "c"]
        let origins = ["node-0", "node-1", "node-2"]
        var writes: [RetainedUpdate] = []
        var used: Set<RetainedVersion> = []
        for index in 0..<200 {
            // Few distinct timestamps, so equal ones (settled by origin) are common. A version names one
            // write: a node never stamps two writes alike.
            let stamp = version(UInt64.random(in: 1...40, using: &random), random.pick([0, 1]), random.pick(origins))
            guard used.insert(stamp).inserted else { continue }
            let name = random.pick(topics)
            writes.append(random.chance(0.3) ? clear(name, stamp) : set(name, "w\(index)", stamp))
        }
        var replicas = (0..<4).map { _ in replicated() }
        for replica in replicas.indices {
            for write in writes.shuffled(using: &random) {
                _ = replicas[replica].writeRemote(write, wallMilliseconds: 50, now: Self.start)
            }
        }
        for name in topics {
            // The survivor is the write of the greatest version.
            let winner = writes.filter { $0.topic.string == name }.max { $0.version < $1.version }!
            for replica in replicas.indices {
                let entry = replicas[replica].entry(for: topic(name))
                #expect(entry?.version == winner.version, "topic \(name), replica \(replica), seed \(random.seed)")
                #expect(
                    entry?.message.map { String(buffer: $0.payload) }
                        == winner.message.map { String(buffer: $0.payload) },
                    "topic \(name), replica \(replica), seed \(random.seed)"
                )
            }
        }
    }
}
