import Broker
import MQTTCodec
import NIOCore
import Testing

/// The connection handler on an `EmbeddedChannel`: handshake, timers and codec errors, with
/// time moved by hand instead of waited for.
@Suite("Connection handler on an EmbeddedChannel")
struct ConnectionHandlerTests {
    @Test("a CONNECT split across three reads is answered with one CONNACK")
    func connect_acrossReads_isAssembled() throws {
        let connection = try EmbeddedConnection()
        defer { connection.finish() }
        let bytes = EmbeddedConnection.encode(
            .connect(MQTTPacket.Connect(protocolVersion: .v5, cleanStart: true, keepAlive: 0, clientID: "split"))
        )
        let thirds = [bytes[..<2], bytes[2..<(bytes.count / 2)], bytes[(bytes.count / 2)...]]
        for (index, part) in thirds.enumerated() {
            try connection.receive(bytes: Array(part))
            let sent = try connection.sentPackets()
            if index < 2 {
                #expect(sent.isEmpty, "nothing is answered before the CONNECT is complete")
            } else {
                guard case .connAck(let connAck) = sent.first, sent.count == 1 else {
                    Issue.record("expected one CONNACK, got \(sent)")
                    return
                }
                #expect(connAck.reasonCode == .success)
            }
        }
    }

    @Test("a connection that sends no CONNECT is closed when the connect timeout passes")
    func silentConnection_isClosed_afterConnectTimeout() throws {
        var settings = BrokerSettings()
        settings.connectTimeout = .seconds(5)
        let connection = try EmbeddedConnection(settings: settings)
        defer { connection.finish() }
        connection.advanceTime(by: .milliseconds(4_999))
        #expect(connection.isActive)
        connection.advanceTime(by: .milliseconds(1))
        #expect(!connection.isActive)
    }

    @Test("[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection without an answer")
    func firstPacket_otherThanConnect_closes() throws {
        let connection = try EmbeddedConnection()
        defer { connection.finish() }
        try connection.receive(.pingReq)
        #expect(try connection.sentPackets().isEmpty)
        #expect(!connection.isActive)
    }

    @Test("[MQTT-3.1.2-24] silence for 1.5 × keep alive gets DISCONNECT 0x8D (5.0)")
    func keepAlive_expires_atOneAndAHalfTimes() throws {
        let connection = try EmbeddedConnection()
        defer { connection.finish() }
        try connection.connect(keepAlive: 10)
        _ = try connection.sentPackets()
        connection.advanceTime(by: .seconds(14))
        #expect(connection.isActive, "10 s keep alive allows 15 s of silence")
        connection.advanceTime(by: .seconds(1))
        let sent = try connection.sentPackets()
        guard case .disconnect(let disconnect) = sent.last else {
            Issue.record("expected DISCONNECT, got \(sent)")
            return
        }
        #expect(disconnect.reasonCode == .keepAliveTimeout)
        #expect(!connection.isActive)
    }

    @Test("[MQTT-3.1.2-24] a packet within the keep alive restarts the clock; 3.1.1 is closed without DISCONNECT")
    func keepAlive_restarts_onEachPacket() throws {
        let connection = try EmbeddedConnection(version: .v3_1_1)
        defer { connection.finish() }
        try connection.connect(keepAlive: 2, version: .v3_1_1)
        connection.advanceTime(by: .seconds(2))
        try connection.receive(.pingReq, version: .v3_1_1)
        connection.advanceTime(by: .seconds(2))
        #expect(connection.isActive, "the PINGREQ at 2 s moved the deadline to 5 s")
        let answered = try connection.sentPackets()
        #expect(answered.contains(.pingResp), "[MQTT-3.12.4-1] PINGREQ is answered with PINGRESP")
        connection.advanceTime(by: .seconds(1))
        #expect(!connection.isActive)
        #expect(!(try connection.sentPackets()).contains { if case .disconnect = $0 { true } else { false } })
    }

    @Test("[MQTT-3.3.1-4] a PUBLISH with both QoS bits set gets DISCONNECT 0x81 (5.0)")
    func malformedPublish_getsMalformedPacket() throws {
        let connection = try EmbeddedConnection()
        defer { connection.finish() }
        try connection.connect()
        _ = try connection.sentPackets()
        // PUBLISH, QoS 3: topic "a", no packet id, empty properties.
        try connection.receive(bytes: [0x36, 0x04, 0x00, 0x01, 0x61, 0x00])
        let sent = try connection.sentPackets()
        guard case .disconnect(let disconnect) = sent.last else {
            Issue.record("expected DISCONNECT, got \(sent)")
            return
        }
        #expect(disconnect.reasonCode == .malformedPacket)
        #expect(!connection.isActive)
    }

    @Test("[MQTT-3.2.2-… 3.1.2.24] a packet above the maximum packet size gets DISCONNECT 0x95 before it is buffered")
    func oversizedPacket_getsPacketTooLarge() throws {
        var settings = BrokerSettings()
        settings.maximumPacketSize = 128
        let connection = try EmbeddedConnection(settings: settings)
        defer { connection.finish() }
        try connection.connect()
        _ = try connection.sentPackets()
        // Only the fixed header of a 1 MiB PUBLISH arrives: the size alone is enough to refuse it.
        try connection.receive(bytes: [0x30, 0x80, 0x80, 0x40])
        let sent = try connection.sentPackets()
        guard case .disconnect(let disconnect) = sent.last else {
            Issue.record("expected DISCONNECT, got \(sent)")
            return
        }
        #expect(disconnect.reasonCode == .packetTooLarge)
        #expect(!connection.isActive)
    }

    @Test("[MQTT-3.1.2-2] an unknown protocol level gets CONNACK 0x01 in the 3.1.1 form")
    func unknownProtocolLevel_getsUnacceptableVersion() throws {
        let connection = try EmbeddedConnection(version: .v3_1_1)
        defer { connection.finish() }
        // CONNECT "MQTT" level 9, clean session, keep alive 0, client id "x".
        try connection.receive(bytes: [
            0x10, 0x0D, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x00, 0x00, 0x01, 0x78,
        ])
        let sent = try connection.sentPackets()
        guard case .connAck(let connAck) = sent.first else {
            Issue.record("expected CONNACK, got \(sent)")
            return
        }
        #expect(connAck.reasonCode == .unsupportedProtocolVersion)
        #expect(!connection.isActive)
    }
}
