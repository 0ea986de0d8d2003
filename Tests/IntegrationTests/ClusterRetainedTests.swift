import Broker
import ClusterProtocol
import MQTTCodec
import NIOCore
import StarlingServer
import StarlingTestKit
import Testing
import Topics

@testable import Cluster

/// Retained messages replicated between clustered nodes in one process (cluster/PROTOCOL.md, "Retained
/// messages"): each node keeps every retained message, last writer wins, clears leave tombstones.
@Suite("Retained messages across the cluster", .serialized)
struct ClusterRetainedTests {
    @Test("[MQTT-3.3.1-6] a retained message set on A is sent to a new subscriber on B, with RETAIN 1 [MQTT-3.3.1-8]")
    func setOnA_isReadByNewSubscriberOnB() async throws {
        try await withCluster { nodes in
            let (publisher, _) = try await nodes[0].connect("ret-pub")
            try await publisher.publishSequence("ret/a", prefix: "one", count: 1, qos: .atLeastOnce, retain: true)
            try await eventually("every node holds ret/a") {
                nodes.allSatisfy { $0.retainedPayload("ret/a") == "one-0" }
            }
            let (subscriber, _) = try await nodes[1].connect("ret-sub")
            try await subscriber.subscribe("ret/#")
            let retained = try await subscriber.nextPublish()
            #expect(retained.topic == "ret/a")
            #expect(String(buffer: retained.payload) == "one-0")
            #expect(retained.retain)
            try await nodes[1].expectNoRetained(on: subscriber, after: "ret/#", tag: "ret")
        }
    }

    @Test("a node that joins later receives every retained message, and not the cleared ones")
    func nodeJoiningLater_receivesTheRetainedMessages() async throws {
        try await withCluster { nodes in
            for (index, node) in nodes.enumerated() {
                let (publisher, _) = try await node.connect("late-pub-\(index)")
                try await publisher.publishSequence(
                    "late/\(index)",
                    prefix: "from-\(index)",
                    count: 1,
                    qos: .atLeastOnce,
                    retain: true
                )
            }
            let (clearer, _) = try await nodes[2].connect("late-clear")
            try await clearer.publishSequence("late/gone", prefix: "soon", count: 1, qos: .atLeastOnce, retain: true)
            try await clearer.publish("late/gone", "", qos: .atLeastOnce, retain: true, packetID: 9)
            _ = try await clearer.next()
            try await eventually("the three nodes hold the same retained messages") {
                nodes.allSatisfy { node in
                    (0..<3).allSatisfy { node.retainedPayload("late/\($0)") == "from-\($0)-0" }
                        && node.node.broker.retainedEntry(for: try! TopicName(validating: "late/gone"))?.isTombstone
                            == true
                }
            }

            try await withJoiningNode(index: 3, joining: nodes) { late in
                try await eventually("the new node holds every retained message") {
                    (0..<3).allSatisfy { late.retainedPayload("late/\($0)") == "from-\($0)-0" }
                }
                let (subscriber, _) = try await late.connect("late-sub")
                try await subscriber.subscribe("late/#")
                let received = try await subscriber.receivePublishes(3)
                #expect(
                    Set(received.map { "\($0.topic)=\(String(buffer: $0.payload))" }) == [
                        "late/0=from-0-0", "late/1=from-1-0", "late/2=from-2-0",
                    ]
                )
                #expect(received.allSatisfy { $0.retain })
                try await late.expectNoRetained(on: subscriber, after: "late/#", tag: "late")
                #expect(late.node.broker.retainedTombstoneCount == 1, "the clear reached the new node as a tombstone")
            }
        }
    }

    @Test("[MQTT-3.3.1-10] a retained message cleared on C is gone on A and B: new subscribers get nothing")
    func clearedOnC_isGoneEverywhere() async throws {
        try await withCluster { nodes in
            let (publisher, _) = try await nodes[0].connect("clr-pub")
            try await publisher.publishSequence("clr/t", prefix: "kept", count: 1, qos: .atLeastOnce, retain: true)
            try await eventually("every node holds clr/t") {
                nodes.allSatisfy { $0.retainedPayload("clr/t") == "kept-0" }
            }
            let (clearer, _) = try await nodes[2].connect("clr-c")
            try await clearer.publish("clr/t", "", qos: .atLeastOnce, retain: true)
            _ = try await clearer.next()
            try await eventually("every node holds a tombstone for clr/t") {
                nodes.allSatisfy {
                    $0.node.broker.retainedEntry(for: try! TopicName(validating: "clr/t"))?.isTombstone == true
                }
            }
            for (index, node) in nodes.enumerated() {
                #expect(node.node.broker.retainedMessageCount == 0, "node-\(index)")
                let (subscriber, _) = try await node.connect("clr-sub-\(index)")
                try await subscriber.subscribe("clr/t")
                try await node.expectNoRetained(on: subscriber, after: "clr/t", tag: "clr-\(index)")
            }
        }
    }

    @Test("one topic set concurrently on A and B, round after round: every node ends with the same single value")
    func concurrentSets_converge() async throws {
        try await withCluster { nodes in
            let (onA, _) = try await nodes[0].connect("race-a")
            let (onB, _) = try await nodes[1].connect("race-b")
            let topic = try TopicName(validating: "race/t")
            let sameTopic: @Sendable (Int) -> String = { _ in "race/t" }
            for round in 0..<5 {
                async let fromA: Void = onA.publishPipelined(
                    count: 50,
                    prefix: "a\(round)",
                    window: 10,
                    retain: true,
                    topic: sameTopic
                )
                async let fromB: Void = onB.publishPipelined(
                    count: 50,
                    prefix: "b\(round)",
                    window: 10,
                    retain: true,
                    topic: sameTopic
                )
                _ = try await (fromA, fromB)
                try await eventually("round \(round): the three nodes agree on race/t") {
                    let entries = nodes.map { $0.node.broker.retainedEntry(for: topic) }
                    guard let first = entries[0], first.message != nil else { return false }
                    return entries.allSatisfy { $0?.version == first.version }
                }
                let entries = nodes.map { $0.node.broker.retainedEntry(for: topic)! }
                let payloads = Set(entries.map { String(buffer: $0.message!.payload) })
                #expect(payloads.count == 1, "round \(round): \(payloads)")
                // The survivor is the last write of A or B, whichever has the greater version.
                let winner = payloads.first!
                #expect(winner == "a\(round)-49" || winner == "b\(round)-49", "round \(round): \(winner)")
                for (index, node) in nodes.enumerated() {
                    let (subscriber, _) = try await node.connect("race-sub-\(round)-\(index)")
                    try await subscriber.subscribe("race/t")
                    #expect(String(buffer: try await subscriber.nextPublish().payload) == winner)
                    await subscriber.close()
                }
            }
            // Crossing updates reach each side after its own newer write: those are ignored, not applied.
            var stale: UInt64 = 0
            for node in nodes { stale += await node.node.router!.retainedCounters().ignoredStale }
            print("concurrent retained writes: \(stale) stale updates ignored over 5 rounds of 2 × 50")
        }
    }

    @Test("an update older than what a node holds is ignored, and counted")
    func staleUpdate_isIgnored() async throws {
        try await withCluster { nodes in
            let (publisher, _) = try await nodes[0].connect("stale-pub")
            try await publisher.publishSequence("stale/t", prefix: "new", count: 1, qos: .atLeastOnce, retain: true)
            let topic = try TopicName(validating: "stale/t")
            try await eventually("node-1 holds stale/t") { nodes[1].retainedPayload("stale/t") == "new-0" }
            let held = nodes[1].node.broker.retainedEntry(for: topic)!.version
            #expect(held.origin == "node-0")

            // What node-0 would have sent for a write a second before, as it comes off the wire.
            let older = PeerFrame.RetainedEntry(
                topic: "stale/t",
                wallMilliseconds: held.timestamp.wallMilliseconds - 1_000,
                logical: 0,
                origin: "node-0",
                content: .message(
                    MQTTPacket.Publish(topic: "stale/t", payload: ByteBuffer(string: "old"), retain: true)
                )
            )
            var bytes = ByteBuffer()
            PeerFrameCodec.encode(.retainedUpdates(PeerFrame.RetainedUpdates(entries: [older])), into: &bytes)
            guard case .retainedUpdates(let frame)? = try PeerFrameCodec.decode(from: &bytes) else {
                Issue.record("the frame did not decode")
                return
            }
            let router = nodes[1].node.router!
            let before = await router.retainedCounters()
            try await router.loop.submit {
                router.retained.received(frame.entries, from: "node-0", isLastOfSnapshot: nil)
            }.get()
            let after = await router.retainedCounters()
            #expect(after.ignoredStale == before.ignoredStale + 1)
            #expect(after.applied == before.applied)
            #expect(nodes[1].node.broker.retainedEntry(for: topic)?.version == held)
            let (subscriber, _) = try await nodes[1].connect("stale-sub")
            try await subscriber.subscribe("stale/t")
            #expect(String(buffer: try await subscriber.nextPublish().payload) == "new-0")
        }
    }

    @Test("tombstones expire after cluster.retained_tombstone_ttl on every node")
    func tombstones_expire() async throws {
        try await withCluster(retainedTombstoneTTL: .seconds(1)) { nodes in
            let (publisher, _) = try await nodes[0].connect("exp-pub")
            try await publisher.publishSequence("exp/t", prefix: "x", count: 1, qos: .atLeastOnce, retain: true)
            try await eventually("every node holds exp/t") { nodes.allSatisfy { $0.retainedPayload("exp/t") == "x-0" } }
            let (clearer, _) = try await nodes[1].connect("exp-clear")
            try await clearer.publish("exp/t", "", qos: .atLeastOnce, retain: true)
            _ = try await clearer.next()
            try await eventually("no node holds anything for exp/t any more") {
                nodes.allSatisfy {
                    $0.node.broker.retainedEntry(for: try! TopicName(validating: "exp/t")) == nil
                        && $0.node.broker.retainedTombstoneCount == 0
                }
            }
            var expired: UInt64 = 0
            for node in nodes { expired += await node.node.router!.retainedCounters().tombstonesExpired }
            #expect(expired >= 1)
            #expect(await nodes[1].node.router!.retainedCounters().tombstonesExpired == 1, "the clearing node's own")
            let (subscriber, _) = try await nodes[2].connect("exp-sub")
            try await subscriber.subscribe("exp/t")
            try await nodes[2].expectNoRetained(on: subscriber, after: "exp/t", tag: "exp")
        }
    }
}

extension TestContext {
    /// The payload of the retained message this node holds for `topic`, or nil (none, or a tombstone).
    func retainedPayload(_ topic: String) -> String? {
        guard let entry = node.broker.retainedEntry(for: try! TopicName(validating: topic)) else { return nil }
        return entry.message.map { String(buffer: $0.payload) }
    }

    /// Checks that `subscriber` got no (further) retained message for the subscription it has just made to
    /// `filter`. This broker sends a subscription's retained messages right after its SUBACK, so they would
    /// come before the SUBACK of a second subscription, and before a message published to it; `tag` names
    /// that second subscription and its publisher, unique per call.
    func expectNoRetained(on subscriber: MQTTTestClient, after filter: String, tag: String) async throws {
        let marker = "marker/\(tag)"
        try await subscriber.subscribe(marker, packetID: 77)
        let (publisher, _) = try await connect("marker-pub-\(tag)")
        try await publisher.publish(marker, "marker")
        let next = try await subscriber.nextPublish()
        #expect(next.topic == marker, "a retained message came after subscribing to \(filter): \(next.topic)")
    }
}
