import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

/// What the encoder writes for fields a version cannot carry, and its short forms.
@Suite struct EncoderTests {
    @Test(
        "3.1.1 §3.2.2.3 CONNACK reason codes map to 3.x return codes",
        arguments: [
            (ReasonCode.success, UInt8(0)), (.unsupportedProtocolVersion, 1), (.clientIdentifierNotValid, 2),
            (.serverUnavailable, 3), (.badUserNameOrPassword, 4), (.notAuthorized, 5), (.banned, 3),
            (.serverBusy, 3), (.unspecifiedError, 3), (.badAuthenticationMethod, 3),
        ]
    )
    func connAck311_writesReturnCode_forReasonCode(_ reasonCode: ReasonCode, _ returnCode: UInt8) {
        let packet = MQTTPacket.connAck(MQTTPacket.ConnAck(sessionPresent: false, reasonCode: reasonCode))
        #expect(encoded(packet, .v3_1_1) == [0x20, 0x02, 0x00, returnCode])
    }

    @Test func connAck31_writesNoSessionPresentFlag() {
        let packet = MQTTPacket.connAck(MQTTPacket.ConnAck(sessionPresent: true, reasonCode: .success))
        #expect(encoded(packet, .v3_1) == [0x20, 0x02, 0x00, 0x00])
    }

    @Test("3.1.1 §3.9.3 3.x SUBACK writes any failure as 0x80")
    func subAck311_writesFailureAs0x80() {
        let packet = MQTTPacket.subAck(
            MQTTPacket.SubAck(
                packetID: 1,
                reasonCodes: [.grantedQoS1, .notAuthorized, .topicFilterInvalid, .grantedQoS2]
            )
        )
        #expect(encoded(packet, .v3_1_1) == [0x90, 0x06, 0x00, 0x01, 0x01, 0x80, 0x80, 0x02])
    }

    @Test func packets311_leaveOutReasonCodesAndProperties() {
        let properties = MQTTProperties([.reasonString("r"), .userProperty(name: "k", value: "v")])
        let cases: [(MQTTPacket, [UInt8])] = [
            (
                .pubAck(MQTTPacket.PubAck(packetID: 1, reasonCode: .notAuthorized, properties: properties)),
                [0x40, 0x02, 0x00, 0x01]
            ),
            (.pubRel(MQTTPacket.PubRel(packetID: 2, reasonCode: .packetIdentifierNotFound)), [0x62, 0x02, 0x00, 0x02]),
            (
                .unsubAck(MQTTPacket.UnsubAck(packetID: 3, reasonCodes: [.success], properties: properties)),
                [0xB0, 0x02, 0x00, 0x03]
            ),
            (
                .disconnect(MQTTPacket.Disconnect(reasonCode: .serverShuttingDown, properties: properties)),
                [0xE0, 0x00]
            ),
            (
                .publish(MQTTPacket.Publish(topic: "t", payload: ByteBuffer(string: "p"), properties: properties)),
                [0x30, 0x04, 0x00, 0x01, 0x74, 0x70]
            ),
        ]
        for (packet, bytes) in cases {
            #expect(encoded(packet, .v3_1_1) == bytes, "\(packet)")
        }
    }

    @Test func subscribe311_writesOnlyQoS_inOptions() {
        let options = MQTTPacket.SubscriptionOptions(
            qos: .exactlyOnce,
            noLocal: true,
            retainAsPublished: true,
            retainHandling: .doNotSend
        )
        let packet = MQTTPacket.subscribe(
            MQTTPacket.Subscribe(
                packetID: 1,
                subscriptions: [MQTTPacket.Subscription(topicFilter: "a", options: options)]
            )
        )
        #expect(encoded(packet, .v3_1_1) == [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x02])
        #expect(encoded(packet, .v5) == [0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x2E])
    }

    @Test("5.0 §3.4.2.1 acknowledgements use the short forms")
    func acknowledgements5_useShortForms() {
        #expect(encoded(.pubAck(MQTTPacket.PubAck(packetID: 1)), .v5) == [0x40, 0x02, 0x00, 0x01])
        #expect(
            encoded(.pubRec(MQTTPacket.PubRec(packetID: 1, reasonCode: .quotaExceeded)), .v5) == [
                0x50, 0x03, 0x00, 0x01, 0x97,
            ]
        )
        #expect(encoded(.disconnect(MQTTPacket.Disconnect()), .v5) == [0xE0, 0x00])
        #expect(encoded(.disconnect(MQTTPacket.Disconnect(reasonCode: .keepAliveTimeout)), .v5) == [0xE0, 0x01, 0x8D])
        #expect(encoded(.auth(MQTTPacket.Auth()), .v5) == [0xF0, 0x00])
        // AUTH has no reason-code-only form: the property length is always written.
        #expect(encoded(.auth(MQTTPacket.Auth(reasonCode: .reAuthenticate)), .v5) == [0xF0, 0x02, 0x19, 0x00])
    }

    @Test func publishHeaders_plusPayload_equalWholePacket() {
        var generator = CodecPacketGenerator(seed: 0xE7C0_DE)
        for _ in 0..<500 {
            let version = generator.random.pick([ProtocolVersion.v3_1, .v3_1_1, .v5])
            let publish = generator.publish(version: version)
            var headers = ByteBuffer()
            publish.encodeHeaders(version: version, into: &headers)
            headers.writeImmutableBuffer(publish.payload)
            #expect(
                Array(headers.readableBytesView) == encoded(.publish(publish), version),
                "seed \(generator.random.seed)"
            )
        }
    }

    @Test func packetEncoder_writesPacketsInItsVersion() throws {
        let encoder = MQTTPacketEncoder(version: .v3_1_1)
        var buffer = ByteBuffer()
        try encoder.encode(data: .pubAck(MQTTPacket.PubAck(packetID: 7, reasonCode: .notAuthorized)), out: &buffer)
        #expect(Array(buffer.readableBytesView) == [0x40, 0x02, 0x00, 0x07])
    }

    @Test func encodedSize_countsMultiByteRemainingLengths() {
        for payloadSize in [0, 120, 122, 123, 16_380, 16_381, 70_000] {
            let packet = MQTTPacket.publish(
                MQTTPacket.Publish(topic: "a", payload: ByteBuffer(repeating: 0x41, count: payloadSize))
            )
            var buffer = ByteBuffer()
            packet.encode(version: .v3_1_1, into: &buffer)
            #expect(packet.encodedSize(version: .v3_1_1) == buffer.readableBytes, "payload \(payloadSize)")
            #expect(buffer.readableBytes == 1 + lengthBytes(3 + payloadSize) + 3 + payloadSize)
        }
    }

    private func lengthBytes(_ remainingLength: Int) -> Int {
        remainingLength < 128 ? 1 : remainingLength < 16_384 ? 2 : remainingLength < 2_097_152 ? 3 : 4
    }
}
