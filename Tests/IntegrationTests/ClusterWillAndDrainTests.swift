import Broker
import Cluster
import MQTTCodec
import Membership
import NIOConcurrencyHelpers
import NIOCore
import StarlingServer
import StarlingTestKit
import Testing

/// Wills published cluster-wide, wills that survive their node, and draining a node without loss.
@Suite("Cluster wills and drain", .serialized)
struct ClusterWillAndDrainTests {
    static func will(_ payload: String, delay: UInt32? = nil) -> MQTTPacket.Will {
        var properties = MQTTProperties()
        if let delay { properties.willDelayInterval = delay }
        return MQTTPacket.Will(
            topic: "wills/\(payload)",
            payload: ByteBuffer(string: payload),
            qos: .atLeastOnce,
            retain: false,
            properties: properties
        )
    }

    @Test("a client on A whose connection is cut: subscribers on B and C get its will [MQTT-3.1.2-8]")
    func connectionCut_willReachesSubscribersOnOtherNodes() async throws {
        try await withCluster { nodes in
            let (onB, _) = try await nodes[1].connect("will-sub-b")
            try await onB.subscribe("wills/#", qos: .atLeastOnce)
            let (onC, _) = try await nodes[2].connect("will-sub-c")
            try await onC.subscribe("wills/#", qos: .atLeastOnce)
            let (dying, _) = try await nodes[0].connect("will-owner", will: Self.will("cut"))
            await dying.close()  // no DISCONNECT: the network connection is lost
            for subscriber in [onB, onC] {
                let will = try await subscriber.receivePublishes(1)
                #expect(will.map(\.topic) == ["wills/cut"])
            }
        }
    }

    @Test("a client whose node dies: the node keeping its will publishes it for subscribers elsewhere")
    func nodeDies_willPublishedByItsGuardian() async throws {
        try await withCluster { nodes in
            let (subscriber, _) = try await nodes[1].connect("guarded-sub")
            try await subscriber.subscribe("wills/#", qos: .atLeastOnce)
            _ = try await nodes[0].connect("guarded-owner", will: Self.will("orphan"))
            try await eventually("a second node keeps the will") {
                var held = 0
                for node in nodes.dropFirst() { held += await node.node.router!.willCounters().held }
                return held == 1
            }
            await nodes[0].node.kill()
            let will = try await subscriber.receivePublishes(1, timeout: .seconds(30))
            #expect(will.map(\.topic) == ["wills/orphan"])
            #expect((try? await subscriber.next(timeout: .milliseconds(500))) == nil, "published once")
        }
    }

    @Test("a will with a delay is cancelled when its client reconnects on another node within the delay")
    func willDelay_cancelledByReconnectElsewhere() async throws {
        try await withCluster { nodes in
            let (subscriber, _) = try await nodes[2].connect("delay-sub")
            try await subscriber.subscribe("wills/#", qos: .atLeastOnce)
            var persistent = MQTTProperties()
            persistent.sessionExpiryInterval = 600
            let (owner, _) = try await nodes[0].connect(
                "delay-owner",
                will: Self.will("delayed", delay: 2),
                properties: persistent
            )
            await owner.close()
            // [MQTT-3.1.3-9] Reconnecting before the delay ends means the will is not sent.
            let (back, connAck) = try await nodes[1].connect("delay-owner", cleanStart: false, properties: persistent)
            #expect(connAck.sessionPresent)
            let stray = try? await subscriber.next(timeout: .seconds(3))
            #expect(stray == nil, "no will after a reconnect within the delay")
            await back.close()
        }
    }

    @Test("draining A under QoS 1 load loses no message of its persistent sessions; clients are sent elsewhere")
    func drain_movesSessions_withoutLoss() async throws {
        var settings = BrokerSettings()
        settings.maximumQueuedMessages = 20_000
        try await withCluster(settings: settings) { nodes in
            var persistent = MQTTProperties()
            persistent.sessionExpiryInterval = 600
            var subscribers: [MQTTTestClient] = []
            for index in 0..<5 {
                let (client, _) = try await nodes[0].connect("drained-\(index)", properties: persistent)
                try await client.subscribe("load/#", qos: .atLeastOnce)
                subscribers.append(client)
            }
            let (publisher, _) = try await nodes[2].connect("drain-pub")
            let total = 3_000
            async let publishing: Void = publisher.publishPipelined(count: total, prefix: "d", window: 50) { _ in
                "load/x"
            }
            // Drain while messages flow: once A has sent its subscribers some.
            try await eventually("messages reach the subscribers on A") {
                ((try? await nodes[0].node.broker.statistics().get())?.messagesSent ?? 0) >= 100
            }
            let draining = Task { await nodes[0].node.drain() }
            var received = [[String]](repeating: [], count: subscribers.count)
            var references: [String?] = []
            for (index, client) in subscribers.enumerated() {
                // Until the 0x9C: acknowledge what arrives.
                while true {
                    let packet: MQTTPacket
                    do { packet = try await client.next(timeout: .seconds(20)) } catch { break }
                    if case .publish(let publish) = packet {
                        received[index].append(String(buffer: publish.payload))
                        try? await client.send(.pubAck(.init(packetID: publish.packetID!)))
                    } else if case .disconnect(let disconnect) = packet {
                        #expect(disconnect.reasonCode == .useAnotherServer)
                        references.append(disconnect.properties.serverReference)
                    }
                }
            }
            await draining.value
            try await publishing
            print("drain: received before the move \(received.map(\.count))")
            for context in nodes.dropFirst() {
                let counters = await context.node.router!.sessionCounters()
                print(
                    "drain: \(context.node.gossip!.identity.name) adopted \(counters.adoptedPushes), held \(counters.heldSessions)"
                )
            }
            #expect(references.count == subscribers.count, "every client was told to use another server")
            // 5.0 §4.11 (server redirection): the Server Reference names a node that is still there, on its own
            // MQTT port.
            let alive = Set(nodes.dropFirst().map { "127.0.0.1:\($0.port)" })
            #expect(references.allSatisfy { $0.map(alive.contains) == true }, "\(references) within \(alive)")
            // Each client reconnects to a node that is still there and gets the rest.
            for index in subscribers.indices {
                let (client, connAck) = try await nodes[1 + index % 2].connect(
                    "drained-\(index)",
                    cleanStart: false,
                    properties: persistent
                )
                #expect(connAck.sessionPresent, "session \(index) moved")
                while Set(received[index]).count < total {
                    guard case .publish(let publish)? = try? await client.next(timeout: .seconds(10)) else { break }
                    received[index].append(String(buffer: publish.payload))
                    try await client.send(.pubAck(.init(packetID: publish.packetID!)))
                }
                let missing = Set((0..<total).map { "d-\($0)" }).subtracting(received[index])
                #expect(missing.count == 0, "client \(index) lost \(missing.count) messages")
            }
        }
    }

    @Test("GET /api/v1/clients/{clientid} data: any node tells where a session is and its state")
    func describeSession_fromAnyNode() async throws {
        try await withCluster { nodes in
            var persistent = MQTTProperties()
            persistent.sessionExpiryInterval = 60
            let (client, _) = try await nodes[1].connect("described", properties: persistent)
            try await client.subscribe("d/+", qos: .atLeastOnce)
            for context in nodes {
                let view = await context.node.router!.describeSession("described")
                #expect(view?.node == nodes[1].node.gossip!.identity.name)
                #expect(view?.connected == true)
                #expect(view?.subscriptions == ["d/+"])
                #expect(view?.protocolVersion == "5.0")
            }
            #expect(await nodes[0].node.router!.describeSession("nobody") == nil)
        }
    }
}
