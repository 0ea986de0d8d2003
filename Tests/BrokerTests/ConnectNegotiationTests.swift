import MQTTCodec
import NIOCore
import Testing

@testable import Broker

@Suite("ConnectNegotiation")
struct ConnectNegotiationTests {
    private let settings = BrokerSettings()

    private func evaluate(_ connect: MQTTPacket.Connect, settings: BrokerSettings? = nil) -> Result<
        NegotiatedConnect, ConnectRefusal
    > {
        ConnectNegotiation.evaluate(connect, settings: settings ?? self.settings, assignClientID: { "assigned-1" })
    }

    @Test("[MQTT-3.1.3-8] 3.1.1: an empty client identifier with CleanSession 0 is refused with 0x02")
    func emptyClientID_refused_whenPersistent311() {
        let result = evaluate(.init(protocolVersion: .v3_1_1, cleanStart: false, keepAlive: 60, clientID: ""))
        #expect(throws: ConnectRefusal(.clientIdentifierNotValid, "empty client identifier needs clean session")) {
            try result.get()
        }
    }

    @Test("[MQTT-3.1.3-6] an empty client identifier is assigned one, and a 5.0 client is told it")
    func emptyClientID_assigned() throws {
        let v5 = try evaluate(.init(protocolVersion: .v5, cleanStart: true, keepAlive: 60, clientID: "")).get()
        #expect(v5.clientID == "assigned-1")
        #expect(v5.connAckProperties(settings: settings).assignedClientIdentifier == "assigned-1")
        let v311 = try evaluate(.init(protocolVersion: .v3_1_1, cleanStart: true, keepAlive: 60, clientID: "")).get()
        #expect(v311.clientID == "assigned-1")
        #expect(!v311.assignedClientID)
    }

    @Test("3.1 requires a client identifier")
    func emptyClientID_refused_when31() {
        let result = evaluate(.init(protocolVersion: .v3_1, cleanStart: true, keepAlive: 60, clientID: ""))
        #expect(throws: ConnectRefusal.self) { try result.get() }
    }

    @Test("session expiry is capped by the broker and the CONNACK says so")
    func sessionExpiry_capped() throws {
        var properties = MQTTProperties()
        properties.sessionExpiryInterval = UInt32.max
        var settings = BrokerSettings()
        settings.maximumSessionExpiry = 3600
        let negotiated = try evaluate(
            .init(protocolVersion: .v5, cleanStart: false, keepAlive: 60, clientID: "c", properties: properties),
            settings: settings
        ).get()
        #expect(negotiated.sessionExpiryInterval == 3600)
        #expect(negotiated.connAckProperties(settings: settings).sessionExpiryInterval == 3600)
    }

    @Test("[MQTT-3.2.2-21] a keep alive above the maximum is replaced by Server Keep Alive")
    func keepAlive_capped_withServerKeepAlive() throws {
        var settings = BrokerSettings()
        settings.maximumKeepAlive = 120
        let negotiated = try evaluate(
            .init(protocolVersion: .v5, cleanStart: true, keepAlive: 0, clientID: "c"),
            settings: settings
        ).get()
        #expect(negotiated.keepAlive == 120)
        #expect(negotiated.connAckProperties(settings: settings).serverKeepAlive == 120)
    }

    @Test("an authentication method is refused with 0x8C while no method is offered")
    func authenticationMethod_refused() {
        var properties = MQTTProperties()
        properties.authenticationMethod = "SCRAM-SHA-1"
        let result = evaluate(
            .init(protocolVersion: .v5, cleanStart: true, keepAlive: 60, clientID: "c", properties: properties)
        )
        guard case .failure(let refusal) = result else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reasonCode == .badAuthenticationMethod)
    }

    @Test("a will with an invalid topic is refused with 0x90; its delay is kept apart from its properties")
    func will_validated() throws {
        let bad = MQTTPacket.Will(topic: "a/+", payload: ByteBuffer(), qos: .atMostOnce, retain: false)
        guard
            case .failure(let refusal) = evaluate(
                .init(protocolVersion: .v5, cleanStart: true, keepAlive: 60, clientID: "c", will: bad)
            )
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reasonCode == .topicNameInvalid)

        var properties = MQTTProperties()
        properties.willDelayInterval = 30
        properties.contentType = "text/plain"
        let good = MQTTPacket.Will(
            topic: "a/b",
            payload: ByteBuffer(string: "bye"),
            qos: .atLeastOnce,
            retain: false,
            properties: properties
        )
        let negotiated = try evaluate(
            .init(protocolVersion: .v5, cleanStart: true, keepAlive: 60, clientID: "c", will: good)
        ).get()
        #expect(negotiated.will?.delayInterval == 30)
        #expect(negotiated.will?.properties.willDelayInterval == nil)
        #expect(negotiated.will?.properties.contentType == "text/plain")
    }
}
