import Broker
import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

@Suite("Malformed input over real sockets")
struct MalformedInputTests {
    @Test("[MQTT-3.3.1-4] PUBLISH with QoS 3 gets DISCONNECT 0x81 (5.0) while another client carries on")
    func qos3_disconnectsOnlyOffender() async throws {
        try await withNode { node in
            let (bystander, _) = try await node.connect("bystander")
            try await bystander.subscribe("ok")
            let (offender, _) = try await node.connect("offender")
            // PUBLISH, QoS bits 11, remaining length 5: topic "a", property length 0, payload "x".
            try await offender.sendRaw([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x78])
            let packets = try await offender.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .malformedPacket)
            let (publisher, _) = try await node.connect("still-fine")
            try await publisher.publish("ok", "fine")
            #expect(try await bystander.nextPublish().topic == "ok")
        }
    }

    @Test("[MQTT-3.1.2-2] a CONNECT with protocol level 6 gets CONNACK 0x01 in 3.1.1 form")
    func unknownProtocolLevel_refused() async throws {
        try await withNode { node in
            let client = try await node.open(version: .v3_1_1)
            // CONNECT "MQTT" level 6, clean session, keep alive 60, client id "x".
            try await client.sendRaw([
                0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x3C, 0x00, 0x01, 0x78,
            ])
            let packets = try await client.waitForClose()
            guard case .connAck(let connAck) = packets.first else {
                Issue.record("expected CONNACK, got \(packets)")
                return
            }
            #expect(connAck.reasonCode == .unsupportedProtocolVersion)
        }
    }

    @Test("[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection")
    func firstPacketNotConnect_closed() async throws {
        try await withNode { node in
            let client = try await node.open(version: .v3_1_1)
            try await client.sendRaw([0xC0, 0x00])  // PINGREQ
            let packets = try await client.waitForClose()
            #expect(packets.isEmpty)
        }
    }

    @Test("a packet above the maximum packet size gets DISCONNECT 0x95")
    func oversizedPacket_disconnected() async throws {
        var settings = BrokerSettings()
        settings.maximumPacketSize = 1024
        try await withNode(settings: settings) { node in
            let (client, _) = try await node.connect("too-big")
            try await client.publish("big", String(repeating: "x", count: 2048))
            let packets = try await client.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .packetTooLarge)
        }
    }

    @Test("[MQTT-3.1.2-24] a client silent for 1.5 × keep alive is disconnected with 0x8D")
    func keepAlive_expires() async throws {
        try await withNode { node in
            let (client, _) = try await node.connect("sleepy", keepAlive: 1)
            let packets = try await client.waitForClose(timeout: .seconds(5))
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .keepAliveTimeout)
        }
    }
}
