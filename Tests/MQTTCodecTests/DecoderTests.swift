import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

/// How `MQTTPacketDecoder` steps through a stream: waiting, limits, version learning, slices.
@Suite struct DecoderTests {
    static let connect5: [UInt8] = [
        0x10,  // CONNECT
        0x0E,  // remaining length 14
        0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
        0x05,  // protocol level 5
        0x02,  // connect flags: clean start
        0x00, 0x3C,  // keep alive 60 s
        0x00,  // property length 0
        0x00, 0x01, 0x61,  // client identifier "a"
    ]

    @Test func decoder_returnsNilWithoutConsuming_whileThePacketIsIncomplete() throws {
        let bytes = Self.connect5
        for length in 0..<bytes.count {
            var decoder = MQTTPacketDecoder(maximumPacketSize: 1024)
            var buffer = ByteBuffer(bytes: bytes[..<length])
            #expect(try decoder.decode(buffer: &buffer) == nil, "prefix of \(length) bytes")
            #expect(buffer.readerIndex == 0)
        }
    }

    @Test func decoder_learnsVersion_fromFirstConnect() throws {
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1024)
        #expect(decoder.protocolVersion == nil)
        var buffer = ByteBuffer(bytes: Self.connect5)
        // A 5.0 DISCONNECT with a reason code only makes sense once 5.0 is known.
        buffer.writeBytes([0xE0, 0x01, 0x04])  // DISCONNECT, remaining length 1, 0x04 disconnect with will
        _ = try decoder.decode(buffer: &buffer)
        #expect(decoder.protocolVersion == .v5)
        let disconnect = try decoder.decode(buffer: &buffer)
        #expect(disconnect == .disconnect(MQTTPacket.Disconnect(reasonCode: .disconnectWithWillMessage)))
    }

    @Test func decoder_learnsVersion_whenTheRestOfTheConnectIsMalformed() {
        var bytes = Self.connect5
        bytes[9] = 0x03  // connect flags: reserved bit set
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1024)
        var buffer = ByteBuffer(bytes: bytes)
        let error = #expect(throws: MQTTCodecError.self) { try decoder.decode(buffer: &buffer) }
        #expect(error == .invalidConnectFlags)
        #expect(error?.protocolVersion == .v5)
        #expect(error?.packetType == .connect)
        #expect(decoder.protocolVersion == .v5)
    }

    @Test func decoder_keepsGivenVersion_whenAConnectDeclaresAnother() throws {
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1024, protocolVersion: .v3_1_1)
        var buffer = ByteBuffer(bytes: Self.connect5)
        let packet = try decoder.decode(buffer: &buffer)
        guard case .connect(let connect) = packet else {
            Issue.record("expected CONNECT, got \(String(describing: packet))")
            return
        }
        #expect(connect.protocolVersion == .v5, "a CONNECT is read in the version it declares")
        #expect(decoder.protocolVersion == .v3_1_1)
    }

    @Test func decoder_rejectsOversizePacket_beforeItsBodyArrives() {
        var decoder = MQTTPacketDecoder(maximumPacketSize: 200, protocolVersion: .v3_1_1)
        // PUBLISH with remaining length 268,435,455: only the fixed header is present.
        var buffer = ByteBuffer(bytes: [0x30, 0xFF, 0xFF, 0xFF, 0x7F])
        let error = #expect(throws: MQTTCodecError.self) { try decoder.decode(buffer: &buffer) }
        #expect(error == .packetTooLarge(size: 268_435_460, maximum: 200))
        #expect(error?.reasonCode == .packetTooLarge)
        #expect(error?.packetType == .publish)
        #expect(error?.protocolVersion == .v3_1_1)
    }

    @Test func decoder_acceptsPacket_ofExactlyTheMaximumSize() throws {
        // PUBLISH "a" with 5 payload bytes: 2 + 3 + 5 = 10 bytes.
        let bytes: [UInt8] = [0x30, 0x08, 0x00, 0x01, 0x61, 0x31, 0x32, 0x33, 0x34, 0x35]
        var decoder = MQTTPacketDecoder(maximumPacketSize: 10, protocolVersion: .v3_1_1)
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try decoder.decode(buffer: &buffer) != nil)
        var smaller = MQTTPacketDecoder(maximumPacketSize: 9, protocolVersion: .v3_1_1)
        buffer = ByteBuffer(bytes: bytes)
        #expect(throws: MQTTCodecError.packetTooLarge(size: 10, maximum: 9)) { try smaller.decode(buffer: &buffer) }
    }

    @Test func decoder_decodesPacketsOneAtATime_fromOneBuffer() throws {
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1024, protocolVersion: .v3_1_1)
        var buffer = ByteBuffer(bytes: [0xC0, 0x00, 0xD0, 0x00, 0x40, 0x02, 0x00])  // PINGREQ, PINGRESP, half a PUBACK
        #expect(try decoder.decode(buffer: &buffer) == .pingReq)
        #expect(try decoder.decode(buffer: &buffer) == .pingResp)
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 3)
        buffer.writeInteger(UInt8(0x09))
        #expect(try decoder.decode(buffer: &buffer) == .pubAck(MQTTPacket.PubAck(packetID: 9)))
    }

    @Test func publishPayload_isASliceOfTheInput_notACopy() throws {
        var buffer = ByteBuffer(bytes: [0x30, 0x08, 0x00, 0x01, 0x61, 0x31, 0x32, 0x33, 0x34, 0x35])
        let inputStart = buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1024, protocolVersion: .v3_1_1)
        guard case .publish(let publish) = try decoder.decode(buffer: &buffer) else {
            Issue.record("expected PUBLISH")
            return
        }
        let payloadStart = publish.payload.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(payloadStart == inputStart + 5, "the payload points into the read buffer")
    }

    @Test func decodeLast_decodesWhatRemains_andReturnsNilWhenEmpty() throws {
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1024, protocolVersion: .v5)
        var buffer = ByteBuffer(bytes: [0xE0, 0x00])
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == .disconnect(MQTTPacket.Disconnect()))
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
    }

    @Test func codecError_carriesVersionInForce_whenANonConnectFails() {
        var decoder = MQTTPacketDecoder(maximumPacketSize: 1024, protocolVersion: .v3_1)
        var buffer = ByteBuffer(bytes: [0x40, 0x02, 0x00, 0x00])  // PUBACK for packet identifier 0
        let error = #expect(throws: MQTTCodecError.self) { try decoder.decode(buffer: &buffer) }
        #expect(error?.protocolVersion == .v3_1)
        #expect(error?.packetType == .pubAck)
    }
}
