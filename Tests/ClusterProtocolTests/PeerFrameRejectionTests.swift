import ClusterProtocol
import NIOCore
import Testing

/// One test per class of malformed input. Each frame is written by hand so the test shows the bytes.
@Suite struct PeerFrameRejectionTests {
    static let boot = bigEndian(UInt64(1))
    static let sequence = bigEndian(UInt64(2))

    // MARK: Framing

    @Test(arguments: [UInt32(16 * 1024 * 1024 + 1), 0x5354_524C, .max])
    func decode_rejectsLengthAboveCap_fromTheHeaderAlone(length: UInt32) {
        // Only the 4 length bytes have arrived: the decoder must not wait for a body it will never accept.
        #expect(
            decodeError(bigEndian(length)) == .frameTooLarge(length: Int(length), maximum: 16 * 1024 * 1024)
        )
    }

    @Test func decode_waitsForBody_whenLengthIsExactlyTheCap() {
        var buffer = ByteBuffer(bytes: bigEndian(UInt32(PeerFrameCodec.maximumFrameLength)) + [0x1E])
        #expect(decodeOnce(&buffer, seed: 0) == .needMoreBytes)
    }

    @Test func decode_rejectsZeroLengthFrame() {
        #expect(decodeError([0, 0, 0, 0]) == .emptyFrame)
        // Also when more follows: a frame without a type byte is malformed, not incomplete.
        #expect(decodeError([0, 0, 0, 0] + encodedBytes([.ping])) == .emptyFrame)
    }

    @Test func decode_rejectsTrailingBytes_afterAKnownBody() {
        #expect(decodeError(rawFrame(type: 30, body: [0])) == .trailingBytes(1))
        #expect(decodeError(rawFrame(type: 21, body: bigEndian(UInt64(3)) + [0, 0])) == .trailingBytes(2))
        let hello = [1, 1] + peerString("c") + peerString("n") + Self.boot + [UInt8](repeating: 7, count: 17)
        #expect(decodeError(rawFrame(type: 1, body: hello)) == .trailingBytes(1))
    }

    // MARK: Truncated fields

    @Test func decode_rejectsFrameEndingInsideAField() {
        // HELLO whose body stops after one byte of a three-byte cluster name.
        #expect(decodeError(rawFrame(type: 1, body: [1, 1, 0, 3, 0x61])) == .truncated(field: "cluster name"))
        // FORWARD_ACK with 7 of its 8 bytes.
        #expect(decodeError(rawFrame(type: 21, body: [0, 0, 0, 0, 0, 0, 1])) == .truncated(field: "acknowledged id"))
        // ROUTE_ACK with 4 of its 8 bytes.
        #expect(decodeError(rawFrame(type: 13, body: [0, 0, 0, 1])) == .truncated(field: "route sequence"))
        // ROUTE_DELTA without its change byte.
        #expect(decodeError(rawFrame(type: 11, body: Self.boot + Self.sequence)) == .truncated(field: "change"))
        // An exclusive route without its grant time.
        let exclusive = [3] + peerString("t") + peerString("c") + [0, 0, 0]
        #expect(
            decodeError(rawFrame(type: 11, body: Self.boot + Self.sequence + [1] + exclusive))
                == .truncated(field: "granted at")
        )
    }

    @Test func decode_rejectsShortNonceAndProof() {
        let hello = [1, 1] + peerString("c") + peerString("n") + Self.boot + [UInt8](repeating: 7, count: 15)
        #expect(decodeError(rawFrame(type: 1, body: hello)) == .badNonce(length: 15))
        #expect(decodeError(rawFrame(type: 2, body: [1] + [UInt8](repeating: 9, count: 31))) == .badProof(length: 31))
    }

    /// Every frame of every kind, cut anywhere inside its body with the length field adjusted to match,
    /// is rejected: no field is optional.
    @Test func decode_rejectsEveryTruncationOfABody() async {
        let seed = baseSeed &+ 0x300
        var generator = PeerFrameGenerator(seed: seed, sizes: .small)
        for sample in 0..<300 {
            if sample % 50 == 0 { await Task.yield() }
            let frame = generator.frame()
            if case .unknown = frame { continue }
            let bytes = encodedBytes([frame])
            for cut in stride(from: bytes.count - 1, to: 4, by: -1) {
                var shortened = ByteBuffer(bytes: bytes[..<cut])
                shortened.setInteger(UInt32(cut - 4), at: 0)
                guard case .error = decodeOnce(&shortened, seed: seed) else {
                    Issue.record("\(frame) cut to \(cut) of \(bytes.count) bytes was accepted (seed \(seed))")
                    return
                }
            }
        }
    }

    // MARK: Field values

    @Test(arguments: [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82]] as [[UInt8]])
    func decode_rejectsInvalidUTF8(bytes: [UInt8]) {
        // Bad continuation, a byte never in UTF-8, an encoded surrogate, an overlong '/', a cut sequence.
        let hello =
            [1, 1] + peerString([0x63] + bytes) + peerString("n") + Self.boot + [UInt8](repeating: 0, count: 16)
        #expect(decodeError(rawFrame(type: 1, body: hello)) == .invalidUTF8(field: "cluster name"))
        let route = [2] + peerString("g") + peerString("f") + peerString(bytes)
        #expect(
            decodeError(rawFrame(type: 11, body: Self.boot + Self.sequence + [1] + route))
                == .invalidUTF8(field: "client id")
        )
    }

    @Test(arguments: [0, 4, 0xFF] as [UInt8])
    func decode_rejectsUnknownRouteKind(kind: UInt8) {
        let delta = Self.boot + Self.sequence + [1, kind] + peerString("a")
        #expect(decodeError(rawFrame(type: 11, body: delta)) == .invalidValue(field: "route kind", value: UInt64(kind)))
        let snapshot = Self.boot + Self.sequence + [0, 0, 0, 2] + [1] + peerString("a") + [kind] + peerString("b")
        #expect(
            decodeError(rawFrame(type: 10, body: snapshot)) == .invalidValue(field: "route kind", value: UInt64(kind))
        )
    }

    @Test(arguments: [0, 3, 0xFF] as [UInt8])
    func decode_rejectsUnknownChangeByte(change: UInt8) {
        let delta = Self.boot + Self.sequence + [change, 1] + peerString("a")
        #expect(decodeError(rawFrame(type: 11, body: delta)) == .invalidValue(field: "change", value: UInt64(change)))
    }

    static let noOrigin = [UInt8](repeating: 0, count: 16)

    @Test(arguments: [0, 4, 0xFF] as [UInt8])
    func decode_rejectsUnknownTargetKind(target: UInt8) {
        let message =
            bigEndian(UInt64(1)) + Self.noOrigin + [0, target] + bigEndian(UInt32(7)) + [0x30, 5, 0, 1, 0x74, 0, 0x21]
        let forward = [0, 0, 0, 1] + message + [UInt8](repeating: 0, count: 8)
        #expect(decodeError(rawFrame(type: 20, body: forward)) == .invalidValue(field: "target", value: UInt64(target)))
    }

    // MARK: Counts

    @Test func decode_rejectsRouteCount_largerThanTheBytesCouldHold() {
        // 1,000 routes claimed, 4 bytes left: at least 3 bytes each, so at most 1 could follow.
        let snapshot = Self.boot + Self.sequence + bigEndian(UInt32(1_000)) + [1] + peerString("a")
        #expect(decodeError(rawFrame(type: 10, body: snapshot)) == .tooMany(field: "routes", count: 1_000))
        let maximal = Self.boot + Self.sequence + bigEndian(UInt32.max)
        #expect(decodeError(rawFrame(type: 10, body: maximal)) == .tooMany(field: "routes", count: Int(UInt32.max)))
    }

    @Test func decode_rejectsRouteCount_aboveTheCap_evenWhenTheBytesWouldHoldIt() {
        let count = 4_000_001
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(1 + 20 + 3 * count))
        buffer.writeInteger(UInt8(10))
        buffer.writeBytes(Self.boot + Self.sequence)
        buffer.writeInteger(UInt32(count))
        buffer.writeRepeatingByte(0, count: 3 * count)
        #expect(decodeOnce(&buffer, seed: 0) == .error(.tooMany(field: "routes", count: count)))
    }

    @Test func decode_rejectsMessageCount_largerThanTheBytesCouldHold() {
        // Each message takes at least 30 bytes: 59 cannot hold two.
        let forward = bigEndian(UInt32(2)) + [UInt8](repeating: 0, count: 59)
        #expect(decodeError(rawFrame(type: 20, body: forward)) == .tooMany(field: "messages", count: 2))
        #expect(
            decodeError(rawFrame(type: 20, body: bigEndian(UInt32.max)))
                == .tooMany(field: "messages", count: Int(UInt32.max))
        )
    }

    // MARK: Embedded PUBLISH

    static let invalidPublishes: [(String, [UInt8])] = [
        ("PINGREQ instead of PUBLISH", [0xC0, 0x00]),
        ("wildcard in topic [MQTT-3.3.2-2]", [0x30, 0x04, 0x00, 0x01, 0x23, 0x00]),
        ("QoS 3 [MQTT-3.3.1-4]", [0x36, 0x06, 0x00, 0x01, 0x74, 0x00, 0x01, 0x00]),
        ("DUP at QoS 0 [MQTT-3.3.1-2]", [0x38, 0x04, 0x00, 0x01, 0x74, 0x00]),
        ("packet identifier 0 [MQTT-2.2.1-3]", [0x32, 0x06, 0x00, 0x01, 0x74, 0x00, 0x00, 0x00]),
        ("empty topic without alias", [0x30, 0x03, 0x00, 0x00, 0x00]),
        ("property not allowed in PUBLISH", [0x30, 0x07, 0x00, 0x01, 0x74, 0x03, 0x11, 0x00, 0x00]),
        ("remaining length past the end", [0x30, 0x09, 0x00, 0x01, 0x74, 0x00]),
        ("bytes after the PUBLISH", [0x30, 0x04, 0x00, 0x01, 0x74, 0x00, 0xC0, 0x00]),
        ("truncated fixed header", [0x30]),
        ("topic not UTF-8", [0x30, 0x05, 0x00, 0x02, 0xC3, 0x28, 0x00]),
    ]

    @Test(arguments: invalidPublishes.indices)
    func decode_rejectsInvalidEmbeddedPublish(index: Int) {
        let (name, publish) = Self.invalidPublishes[index]
        let message = bigEndian(UInt64(1)) + Self.noOrigin + [0, 1] + bigEndian(UInt32(publish.count)) + publish
        // Padded to the 30 bytes a message takes at least, so the count check passes and the PUBLISH is read.
        let forward = [0, 0, 0, 1] + message + [UInt8](repeating: 0, count: max(0, 30 - message.count))
        let error = decodeError(rawFrame(type: 20, body: forward))
        guard case .invalidPublish = error else {
            Issue.record("\(name): \(String(describing: error))")
            return
        }
    }

    @Test func decode_rejectsPublishLength_beyondTheFrame() {
        let message =
            bigEndian(UInt64(1)) + Self.noOrigin + [0, 1] + bigEndian(UInt32(1_000)) + [
                0x30, 0x04, 0x00, 0x01, 0x74, 0x00,
            ]
        #expect(decodeError(rawFrame(type: 20, body: [0, 0, 0, 1] + message)) == .truncated(field: "publish"))
    }

    // MARK: Errors as logged reasons

    @Test func error_describesItself_forTheLog() {
        #expect(PeerFrameError.frameTooLarge(length: 20, maximum: 10).description == "frame of 20 bytes exceeds 10")
        #expect(PeerFrameError.invalidValue(field: "route kind", value: 9).description == "invalid route kind 9")
        #expect(PeerFrameError.truncated(field: "nonce").description == "frame ends inside nonce")
    }
}
