import Broker
import Cluster
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import StarlingServer
import StarlingTestKit
import Testing

/// Three clustered nodes in one process: a client on any node reaches subscribers on every node.
@Suite("Cluster routing between three nodes", .serialized)
struct ClusterRoutingTests {
    @Test(
        "a subscriber on A gets, in order and once, what publishers on B and C send, at each QoS",
        arguments: [QoS.atMostOnce, .atLeastOnce, .exactlyOnce]
    )
    func publishesOnOtherNodes_reachSubscriber_inOrderWithoutLossOrDuplicates(qos: QoS) async throws {
        try await withCluster { nodes in
            let (subscriber, _) = try await nodes[0].connect("sub-\(qos.rawValue)")
            try await subscriber.subscribe("exact/topic", qos: qos)
            try await subscriber.subscribe("wild/+/x", qos: qos, packetID: 2)
            let (publisherB, _) = try await nodes[1].connect("pub-b")
            let (publisherC, _) = try await nodes[2].connect("pub-c")
            let perPublisher = 100
            async let fromB: Void = publisherB.publishSequence(
                "exact/topic",
                prefix: "b",
                count: perPublisher,
                qos: qos
            )
            async let fromC: Void = publisherC.publishSequence("wild/c/x", prefix: "c", count: perPublisher, qos: qos)
            _ = try await (fromB, fromC)
            let received = try await subscriber.receivePublishes(2 * perPublisher).map { String(buffer: $0.payload) }
            #expect(received.filter { $0.hasPrefix("b-") } == (0..<perPublisher).map { "b-\($0)" })
            #expect(received.filter { $0.hasPrefix("c-") } == (0..<perPublisher).map { "c-\($0)" })
            #expect(
                !subscriber.buffered.contains { if case .publish = $0 { true } else { false } },
                "nothing beyond the expected messages"
            )
        }
    }

    @Test("after the SUBACK on A, a publish on B reaches the new subscriber (route propagation)")
    func publishRightAfterSubAck_isDelivered() async throws {
        try await withCluster { nodes in
            let (publisher, _) = try await nodes[1].connect("prop-pub")
            var worst = Duration.zero
            for round in 0..<20 {
                let (subscriber, _) = try await nodes[0].connect("prop-sub-\(round)")
                let start = ContinuousClock.now
                try await subscriber.subscribe("prop/\(round)", qos: .atLeastOnce)
                worst = max(worst, ContinuousClock.now - start)
                try await publisher.publishSequence("prop/\(round)", prefix: "r\(round)", count: 1, qos: .atLeastOnce)
                let received = try await subscriber.receivePublishes(1, timeout: .seconds(5))
                #expect(String(buffer: received[0].payload) == "r\(round)-0")
            }
            print("route propagation: worst SUBSCRIBE → SUBACK (peers acknowledged) \(worst) over 20 rounds")
        }
    }

    @Test("a filter held by 100 subscribers on A is one route on B")
    func manySubscribersOfOneFilter_costOneRoute() async throws {
        try await withCluster { nodes in
            for index in 0..<100 {
                let (subscriber, _) = try await nodes[0].connect("many-\(index)")
                try await subscriber.subscribe("fleet/+/telemetry")
            }
            let routes = nodes[1].node.router!.routeTable()
            #expect(routes.filter { $0.filter == "fleet/+/telemetry" }.map(\.nodes) == [["node-0"]])
            #expect(routes.count == 1, "\(routes)")
        }
    }

    @Test("30,000 messages to a shared group with a member on each node arrive exactly once, split round-robin")
    func sharedGroupAcrossNodes_getsEachMessageOnce() async throws {
        // Members read slower than three publishers send: let their queues hold the backlog.
        var settings = BrokerSettings()
        settings.maximumQueuedMessages = 30_000
        try await withCluster(settings: settings) { nodes in
            var members: [MQTTTestClient] = []
            for (index, node) in nodes.enumerated() {
                let (member, _) = try await node.connect("member-\(index)")
                try await member.subscribe("$share/workers/jobs/#", qos: .atLeastOnce)
                members.append(member)
            }
            try await eventually("every node knows the three members") {
                nodes.allSatisfy { $0.node.broker.sharedMemberCount(group: "workers", filter: "jobs/#") == 3 }
            }
            let total = 30_000
            let progress = ReceivedCount()
            // A deadline, not a wait: the test ends as soon as every message is in.
            let deadline = ContinuousClock.now + .seconds(300)
            let received = try await withThrowingTaskGroup(of: [String].self) { group in
                for member in members {
                    group.addTask {
                        try await member.collectAcknowledging(until: deadline, counter: progress, target: total)
                    }
                }
                for (index, node) in nodes.enumerated() {
                    let (publisher, _) = try await node.connect("jobs-pub-\(index)")
                    // Publishers take turns message by message: 0, 3, 6 … on node 0; 1, 4, 7 … on node 1.
                    group.addTask {
                        let mine = (0..<total).filter { $0 % 3 == index }
                        var outstanding = 0
                        for job in mine {
                            try await publisher.publish(
                                "jobs/\(job % 7)",
                                "job-\(job)",
                                qos: .atLeastOnce,
                                packetID: UInt16(job % 60_000 + 1)
                            )
                            outstanding += 1
                            if outstanding == 100 {
                                for _ in 0..<outstanding { _ = try await publisher.next() }
                                outstanding = 0
                            }
                        }
                        for _ in 0..<outstanding { _ = try await publisher.next() }
                        return []
                    }
                }
                var perMember: [[String]] = []
                for try await payloads in group where !payloads.isEmpty { perMember.append(payloads) }
                return perMember
            }
            let all = received.flatMap { $0 }
            #expect(Set(all).count == total, "received \(Set(all).count) distinct of \(total)")
            #expect(all.count == Set(all).count, "duplicates: \(all.count - Set(all).count)")
            let counts = received.map(\.count).filter { $0 > 0 }
            print("shared group split over three nodes (round_robin): \(counts)")
            // Each publishing node rotates over all three members, so each gets close to a third.
            for count in counts { #expect(abs(count - total / 3) < total / 30, "\(counts)") }
            for node in nodes {
                let statistics = try await node.node.broker.statistics().get()
                #expect(DropReason.allCases.allSatisfy { statistics.dropped($0) == 0 }, "drops on a node")
            }
        }
    }

    @Test(
        "[MQTT-4.8.2-2] a shared member that disconnects mid-stream loses nothing at QoS 1: the others or its session get it"
    )
    func sharedMemberLeavingMidStream_losesNothing() async throws {
        try await withCluster { nodes in
            var session = MQTTProperties()
            session.sessionExpiryInterval = 600
            var members: [MQTTTestClient] = []
            for (index, node) in nodes.enumerated() {
                let (member, _) = try await node.connect("qmember-\(index)", cleanStart: true, properties: session)
                try await member.subscribe("$share/q/work", qos: .atLeastOnce)
                members.append(member)
            }
            try await eventually("every node knows the three members") {
                nodes.allSatisfy { $0.node.broker.sharedMemberCount(group: "q", filter: "work") == 3 }
            }
            let (publisher, _) = try await nodes[0].connect("qpub")
            let total = 3_000
            let deadline = ContinuousClock.now + .seconds(60)
            let gotten = ReceivedCount()
            let stayed = try await withThrowingTaskGroup(of: [String].self) { group in
                for member in members[0..<2] {
                    group.addTask {
                        try await member.collectAcknowledging(until: deadline, counter: gotten, target: total)
                    }
                }
                try await publisher.publishPipelined(count: total / 3, prefix: "m") { _ in "work" }
                // The member on C goes without a word; its session stays (expiry 600 s) and keeps its share.
                await members[2].close()
                try await publisher.publishPipelined(count: total - total / 3, prefix: "n") { _ in "work" }
                let (back, connAck) = try await nodes[2].connect("qmember-2", cleanStart: false, properties: session)
                #expect(connAck.sessionPresent)
                group.addTask { try await back.collectAcknowledging(until: deadline, counter: gotten, target: total) }
                var all: [String] = []
                for try await payloads in group { all += payloads }
                return all
            }
            let expected = Set((0..<total / 3).map { "m-\($0)" } + (0..<(total - total / 3)).map { "n-\($0)" })
            #expect(Set(stayed) == expected, "missing \(expected.subtracting(stayed).count)")
            #expect(stayed.count == Set(stayed).count, "duplicates: \(stayed.count - Set(stayed).count)")
        }
    }

    @Test("a node that dies takes its routes with it; the others keep talking")
    func deadNode_routesRemoved_survivorsUnaffected() async throws {
        try await withCluster { nodes in
            let (onC, _) = try await nodes[2].connect("c-sub")
            try await onC.subscribe("only/c")
            let (onB, _) = try await nodes[1].connect("b-sub")
            try await onB.subscribe("ab/x", qos: .atLeastOnce)
            #expect(nodes[0].node.router!.routeTable().contains { $0.filter == "only/c" })

            await nodes[2].node.kill()
            try await eventually("A forgets C's routes") {
                !nodes[0].node.router!.routeTable().contains { $0.nodes.contains("node-2") }
            }
            let (publisher, _) = try await nodes[0].connect("a-pub")
            try await publisher.publishSequence("ab/x", prefix: "after", count: 10, qos: .atLeastOnce)
            let received = try await onB.receivePublishes(10)
            #expect(received.map { String(buffer: $0.payload) } == (0..<10).map { "after-\($0)" })
        }
    }
}

/// A count shared between the tasks of a test.
final class ReceivedCount: Sendable {
    private let box = NIOLockedValueBox(0)
    var value: Int { box.withLockedValue { $0 } }
    func add(_ amount: Int) { box.withLockedValue { $0 += amount } }
}
