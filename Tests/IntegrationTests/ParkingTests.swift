import MQTTCodec
import NIOCore
import StarlingServer
import StarlingTestKit
import Testing
import Transport

/// Quiet connections leave their channel for the parking lot and come back when busy; the client
/// sees one connection throughout.
@Suite("Parked connections over real sockets")
struct ParkingTests {
    static let parkAfter = TimeAmount.milliseconds(50)

    @Test("a quiet connection is parked, answers PINGREQ there, and a burst wakes it without loss or reordering")
    func parkedConnection_servesPings_andWakesForABurst() async throws {
        try await withNode(parkAfter: Self.parkAfter) { node in
            let listener = node.node.tcpListener
            let (subscriber, _) = try await node.connect("parked-sub")
            try await subscriber.subscribe("park/t", qos: .atLeastOnce)
            let (publisher, _) = try await node.connect("parked-pub")
            try await eventually("both connections are parked") { listener.parkedConnectionCount == 2 }

            // [MQTT-3.12.4-1] PINGREQ gets PINGRESP, read and answered without a channel.
            // Parked means quiet for park_after already, so this read is not "soon after" its last traffic.
            let wokenBefore = listener.parkingCounters.woken
            try await subscriber.send(.pingReq)
            #expect(try await subscriber.next() == .pingResp)
            #expect(listener.parkingCounters.woken == wokenBefore, "a lone PINGREQ does not need a channel")

            // A burst: the first publish is read in the lot, the rest make the connections busy.
            let count = 300
            async let published: Void = publisher.publishPipelined(count: count, prefix: "m") { _ in "park/t" }
            let received = try await subscriber.receivePublishes(count).map { String(buffer: $0.payload) }
            try await published
            #expect(received == (0..<count).map { "m-\($0)" }, "[MQTT-4.6.0-5] in order, each once")
            #expect(listener.parkingCounters.woken > wokenBefore, "the burst gave a connection a channel")
            try await eventually("both are parked again once quiet") { listener.parkedConnectionCount == 2 }
            let extra = try? await subscriber.next(timeout: .milliseconds(100))
            #expect(extra == nil, "nothing beyond the burst")
        }
    }

    @Test("[MQTT-3.1.4-3] a parked connection taken over gets DISCONNECT 0x8E; one cut while parked publishes its will")
    func parkedConnection_takeoverAndWill() async throws {
        try await withNode(parkAfter: Self.parkAfter) { node in
            let listener = node.node.tcpListener
            let (watcher, _) = try await node.connect("parked-watcher")
            try await watcher.subscribe("park/will", qos: .atLeastOnce)
            let will = MQTTPacket.Will(
                topic: "park/will",
                payload: ByteBuffer(string: "gone"),
                qos: .atLeastOnce,
                retain: false
            )
            let (first, _) = try await node.connect("parked-twin", will: will)
            try await eventually("both are parked") { listener.parkedConnectionCount == 2 }

            let (second, _) = try await node.connect("parked-twin", will: will)
            let packets = try await first.waitForClose()
            #expect(
                packets.contains {
                    if case .disconnect(let d) = $0 { d.reasonCode == .sessionTakenOver } else { false }
                }
            )
            // [MQTT-3.1.2-8] The taken-over connection's will is not published (the session lives on).
            try await eventually("the new connection is parked too") { listener.parkedConnectionCount == 2 }

            // [MQTT-3.1.2-8] A connection that ends without DISCONNECT publishes its will.
            await second.close()
            let delivered = try await watcher.receivePublishes(1)
            #expect(delivered.map { String(buffer: $0.payload) } == ["gone"])
            try await eventually("the closed connection left the lot") { listener.connectionCount == 1 }
        }
    }

    @Test("[MQTT-3.1.2-24] a parked connection silent for 1.5 × keep alive gets DISCONNECT 0x8D")
    func parkedConnection_keepAliveExpires() async throws {
        try await withNode(parkAfter: Self.parkAfter) { node in
            let (client, _) = try await node.connect("parked-silent", keepAlive: 1)
            try await eventually("it is parked") { node.node.tcpListener.parkedConnectionCount == 1 }
            let packets = try await client.waitForClose(timeout: .seconds(5))
            #expect(
                packets.contains {
                    if case .disconnect(let d) = $0 { d.reasonCode == .keepAliveTimeout } else { false }
                }
            )
        }
    }
}
