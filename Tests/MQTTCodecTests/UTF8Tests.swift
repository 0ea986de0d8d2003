import MQTTCodec
import NIOCore
import StarlingTestKit
import Testing

/// UTF-8 strings are checked on their raw bytes (5.0 §1.5.4), seen here through the client
/// identifier of a 3.1.1 CONNECT.
@Suite struct UTF8Tests {
    static func connect(clientIdentifier: [UInt8]) -> [UInt8] {
        [
            0x10,  // CONNECT
            UInt8(12 + clientIdentifier.count),  // remaining length
            0x00, 0x04, 0x4D, 0x51, 0x54, 0x54,  // protocol name "MQTT"
            0x04,  // protocol level 4
            0x02,  // connect flags: clean session
            0x00, 0x00,  // keep alive 0
            0x00, UInt8(clientIdentifier.count),  // client identifier length
        ] + clientIdentifier
    }

    static let illFormed: [[UInt8]] = [
        [0xFF],  // never a UTF-8 byte
        [0x80],  // continuation without a lead byte
        [0xC0, 0x80],  // overlong U+0000
        [0xC1, 0xBF],  // overlong U+007F
        [0xE0, 0x80, 0xAF],  // overlong "/"
        [0xF0, 0x80, 0x80, 0xAF],  // overlong "/"
        [0xF4, 0x90, 0x80, 0x80],  // U+110000, above the last code point
        [0xF5, 0x80, 0x80, 0x80],  // lead byte beyond F4
        [0xC2],  // truncated two-byte sequence
        [0xE4, 0xB8],  // truncated three-byte sequence
        [0xF0, 0x9F, 0x98],  // truncated four-byte sequence
        [0xE4, 0x41, 0xAD],  // ASCII where a continuation belongs
        Array("abcdefgh".utf8) + [0xFF],  // bad byte after a full eight-byte ASCII word
    ]

    @Test("5.0 §1.5.4 ill-formed UTF-8 is a Malformed Packet", arguments: illFormed)
    func clientIdentifier_isRejected_whenUTF8IsIllFormed(_ bytes: [UInt8]) {
        expectRejection(Self.connect(clientIdentifier: bytes), version: nil, .malformedUTF8, .malformedPacket)
    }

    @Test(
        "[MQTT-1.5.4-1] UTF-8 encoding a surrogate is a Malformed Packet",
        arguments: [0xA0, 0xAF, 0xB0, 0xBF] as [UInt8]
    )
    func clientIdentifier_isRejected_whenItEncodesASurrogate(_ second: UInt8) {
        expectRejection(
            Self.connect(clientIdentifier: [0xED, second, 0x80]),
            version: nil,
            .malformedUTF8,
            .malformedPacket
        )
    }

    @Test("[MQTT-1.5.4-2] U+0000 anywhere in a string is a Malformed Packet", arguments: [0, 1, 7, 8, 9, 15, 16])
    func clientIdentifier_isRejected_whenItContainsNull(at position: Int) {
        var bytes = [UInt8](repeating: 0x61, count: 17)
        bytes[position] = 0x00
        expectRejection(Self.connect(clientIdentifier: bytes), version: nil, .malformedUTF8, .malformedPacket)
    }

    static let wellFormed: [String] = [
        "", "a", "abcdefghijklmnopqrstuvwxyz0123456789", "é", "中文", "😀", "\u{10FFFF}", "\u{D7FF}", "\u{E000}",
        "\u{FFFF}", "\u{01}\u{7F}", "abcdefgh中", "tëst/😀/x",
    ]

    @Test("5.0 §1.5.4 well-formed UTF-8 decodes to the same string", arguments: wellFormed)
    func clientIdentifier_decodes_whenUTF8IsWellFormed(_ string: String) throws {
        let packet = try decodeOne(Self.connect(clientIdentifier: Array(string.utf8)), version: nil)
        guard case .connect(let connect) = packet else {
            Issue.record("expected CONNECT, got \(packet)")
            return
        }
        #expect(connect.clientID == string)
    }

    @Test("[MQTT-1.5.4-3] a leading U+FEFF is kept, not skipped")
    func clientIdentifier_keepsByteOrderMark() throws {
        let packet = try decodeOne(Self.connect(clientIdentifier: [0xEF, 0xBB, 0xBF, 0x61]), version: nil)
        guard case .connect(let connect) = packet else {
            Issue.record("expected CONNECT, got \(packet)")
            return
        }
        #expect(Array(connect.clientID.unicodeScalars) == ["\u{FEFF}", "a"])
    }

    /// Random byte strings, biased towards UTF-8 lead and continuation bytes, are accepted
    /// exactly when the standard library's strict validation accepts them and they hold no NUL.
    @Test func validation_agreesWithStandardLibrary_forRandomBytes() {
        guard #available(macOS 15, *) else { return }
        var random = SeededRandom(seed: 0x55_7F_08)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
        ]
        for _ in 0..<20_000 {
            let bytes = (0..<random.size(upTo: 12)).map { _ in
                random.chance(0.7) ? random.pick(interesting) : UInt8.random(in: 0...255, using: &random)
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil && !bytes.contains(0)
            var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 20)
            var buffer = ByteBuffer(bytes: Self.connect(clientIdentifier: bytes))
            let accepted = (try? decoder.decode(buffer: &buffer)) != nil
            #expect(accepted == expected, "bytes \(bytes), seed \(random.seed)")
        }
    }
}
