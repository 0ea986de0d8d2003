import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

@Suite("Sessions, wills and retained messages over real sockets")
struct SessionTests {
    @Test("[MQTT-3.3.1-5] retained messages are set, replaced, cleared and sent on subscribe with RETAIN 1")
    func retained_lifecycle() async throws {
        try await withNode { node in
            let (publisher, _) = try await node.connect("ret-pub")
            try await publisher.publish("ret/a", "one", retain: true)
            try await publisher.publish("ret/a", "two", retain: true)
            try await publisher.publish("ret/b", "bee", retain: true)
            try await publisher.publish("ret/b", "", retain: true)  // [MQTT-3.3.1-10] clears

            // The publisher's own later PUBLISH proves the four above were processed.
            let (probe, _) = try await node.connect("ret-probe")
            try await probe.subscribe("ret/fence")
            try await publisher.publish("ret/fence", "f")
            _ = try await probe.nextPublish()

            let (subscriber, _) = try await node.connect("ret-sub")
            try await subscriber.subscribe("ret/+")
            let retained = try await subscriber.nextPublish()
            #expect(retained.topic == "ret/a")
            #expect(String(buffer: retained.payload) == "two")
            #expect(retained.retain)  // [MQTT-3.3.1-8]
            try await publisher.publish("ret/a", "live", retain: true)
            let live = try await subscriber.nextPublish()
            #expect(String(buffer: live.payload) == "live")
            #expect(!live.retain)  // [MQTT-3.3.1-9] live delivery without Retain As Published
        }
    }

    @Test("retain handling 2 sends no retained messages; 1 only for a new subscription")
    func retainHandling_respected() async throws {
        try await withNode { node in
            let (publisher, _) = try await node.connect("rh-pub")
            try await publisher.publish("rh/t", "kept", qos: .atLeastOnce, retain: true)
            _ = try await publisher.next()  // PUBACK: the retained message is stored

            let (client, _) = try await node.connect("rh-sub")
            try await client.subscribe("rh/t", options: { $0.retainHandling = .doNotSend })
            try await client.subscribe("rh/marker", packetID: 2)
            try await publisher.publish("rh/marker", "m")
            #expect(try await client.nextPublish().topic == "rh/marker")

            try await client.subscribe("rh/new", packetID: 3, options: { $0.retainHandling = .sendOnNewSubscribe })
            try await client.subscribe("rh/t", packetID: 4, options: { $0.retainHandling = .sendOnNewSubscribe })
            try await publisher.publish("rh/marker", "m2")
            // rh/t already existed, so nothing retained comes before the marker.
            #expect(String(buffer: try await client.nextPublish().payload) == "m2")
        }
    }

    @Test("[MQTT-3.1.2-8] the will is published when the connection is lost, not after a normal DISCONNECT")
    func will_onAbnormalLossOnly() async throws {
        try await withNode { node in
            let (watcher, _) = try await node.connect("will-watch")
            try await watcher.subscribe("will/#")
            let will = MQTTPacket.Will(
                topic: "will/a",
                payload: ByteBuffer(string: "gone"),
                qos: .atMostOnce,
                retain: false
            )

            let (polite, _) = try await node.connect("will-polite", will: will)
            try await polite.send(.disconnect(.init()))
            _ = try await polite.waitForClose()

            let (rude, _) = try await node.connect("will-rude", will: will)
            await rude.close()
            let received = try await watcher.nextPublish()
            #expect(String(buffer: received.payload) == "gone")
            #expect(watcher.buffered.isEmpty)
        }
    }

    @Test("DISCONNECT with reason 0x04 publishes the will")
    func will_onDisconnectWithWill() async throws {
        try await withNode { node in
            let (watcher, _) = try await node.connect("will04-watch")
            try await watcher.subscribe("will04")
            let will = MQTTPacket.Will(
                topic: "will04",
                payload: ByteBuffer(string: "w"),
                qos: .atMostOnce,
                retain: false
            )
            let (client, _) = try await node.connect("will04-client", will: will)
            try await client.send(.disconnect(.init(reasonCode: .disconnectWithWillMessage)))
            #expect(try await watcher.nextPublish().topic == "will04")
        }
    }

    @Test("[MQTT-3.1.3-9] a reconnect within the will delay cancels the will")
    func willDelay_cancelledByReconnect() async throws {
        try await withNode { node in
            let (watcher, _) = try await node.connect("wd-watch")
            try await watcher.subscribe("wd/#")
            var willProperties = MQTTProperties()
            willProperties.willDelayInterval = 30
            let will = MQTTPacket.Will(
                topic: "wd/x",
                payload: ByteBuffer(string: "late"),
                qos: .atMostOnce,
                retain: false,
                properties: willProperties
            )
            var sessionProperties = MQTTProperties()
            sessionProperties.sessionExpiryInterval = 300
            let (first, _) = try await node.connect(
                "wd-client",
                cleanStart: false,
                will: will,
                properties: sessionProperties
            )
            await first.close()
            let (_, connAck) = try await node.connect("wd-client", cleanStart: false, properties: sessionProperties)
            #expect(connAck.sessionPresent)
            let (publisher, _) = try await node.connect("wd-pub")
            try await publisher.publish("wd/marker", "m")
            #expect(try await watcher.nextPublish().topic == "wd/marker")
        }
    }

    @Test("[MQTT-3.2.2-3] a persistent session keeps subscriptions and queues QoS 1 messages while offline")
    func persistentSession_resumes_withQueuedMessages() async throws {
        try await withNode { node in
            var properties = MQTTProperties()
            properties.sessionExpiryInterval = 600
            let (first, firstAck) = try await node.connect("persist", cleanStart: true, properties: properties)
            #expect(!firstAck.sessionPresent)
            try await first.subscribe("persist/#", qos: .atLeastOnce)
            try await first.send(.disconnect(.init()))
            _ = try await first.waitForClose()

            let (publisher, _) = try await node.connect("persist-pub")
            for index in 0..<20 {
                try await publisher.publish("persist/t", "\(index)", qos: .atLeastOnce, packetID: UInt16(index + 1))
                guard case .pubAck = try await publisher.next() else { throw TestClientError.unexpectedPacket }
            }
            let (second, secondAck) = try await node.connect("persist", cleanStart: false, properties: properties)
            #expect(secondAck.sessionPresent)
            for index in 0..<20 {
                let publish = try await second.nextPublish()
                #expect(String(buffer: publish.payload) == "\(index)")
                try await second.send(.pubAck(.init(packetID: publish.packetID!)))
            }
        }
    }

    @Test("[MQTT-4.4.0-1] unacknowledged messages are resent with DUP on resume")
    func inflight_resentWithDup() async throws {
        try await withNode { node in
            var properties = MQTTProperties()
            properties.sessionExpiryInterval = 600
            let (first, _) = try await node.connect("dup", properties: properties)
            try await first.subscribe("dup/t", qos: .atLeastOnce)
            let (publisher, _) = try await node.connect("dup-pub")
            try await publisher.publish("dup/t", "again", qos: .atLeastOnce)
            let original = try await first.nextPublish()
            #expect(!original.dup)
            await first.close()  // no PUBACK
            let (second, _) = try await node.connect("dup", cleanStart: false, properties: properties)
            let resent = try await second.nextPublish()
            #expect(resent.dup)
            #expect(resent.packetID == original.packetID)
            #expect(String(buffer: resent.payload) == "again")
        }
    }

    @Test("[MQTT-3.1.4-3] a second CONNECT with the same client identifier takes over: the first gets 0x8E")
    func takeover_disconnectsOldConnection() async throws {
        try await withNode(eventLoops: 2) { node in
            let (old, _) = try await node.connect("twin")
            let (_, connAck) = try await node.connect("twin")
            #expect(connAck.reasonCode == .success)
            let packets = try await old.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .sessionTakenOver)
        }
    }

    @Test("[MQTT-4.8.2-2] a shared subscription gives each message to exactly one member")
    func sharedSubscription_eachMessageOnce() async throws {
        try await withNode(eventLoops: 2) { node in
            var members: [MQTTTestClient] = []
            for index in 0..<3 {
                let (member, _) = try await node.connect("share-\(index)")
                try await member.subscribe("$share/g/share/t", qos: .atLeastOnce)
                members.append(member)
            }
            let (publisher, _) = try await node.connect("share-pub")
            let count = 30
            for index in 0..<count {
                try await publisher.publish("share/t", "\(index)", qos: .atLeastOnce, packetID: UInt16(index + 1))
                guard case .pubAck = try await publisher.next() else { throw TestClientError.unexpectedPacket }
            }
            // Round robin: each member gets a third.
            var received: [String] = []
            for member in members {
                for _ in 0..<(count / 3) {
                    let publish = try await member.nextPublish()
                    received.append(String(buffer: publish.payload))
                    try await member.send(.pubAck(.init(packetID: publish.packetID!)))
                }
            }
            #expect(Set(received) == Set((0..<count).map { "\($0)" }))
            #expect(received.count == count)
        }
    }

    @Test("[MQTT-3.1.0-2] a second CONNECT on one connection is a protocol error")
    func secondConnect_closesConnection() async throws {
        try await withNode { node in
            let (client, _) = try await node.connect("double")
            try await client.send(
                .connect(.init(protocolVersion: .v5, cleanStart: true, keepAlive: 0, clientID: "double"))
            )
            let packets = try await client.waitForClose()
            guard case .disconnect(let disconnect) = packets.last else {
                Issue.record("expected DISCONNECT, got \(packets)")
                return
            }
            #expect(disconnect.reasonCode == .protocolError)
        }
    }
}
