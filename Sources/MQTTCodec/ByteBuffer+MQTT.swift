import NIOCore

// The data representations of MQTT (5.0 §1.5, 3.1.1 §1.5) on `ByteBuffer`.
//
// The `read…` methods are used on the body of one packet, already cut to its remaining
// length, so running out of bytes means the packet is shorter than its fields say: they
// throw `invalidPacketLength`, never "need more bytes". Every length is checked against the
// bytes present before anything is read or allocated.

/// The variable byte integer of 5.0 §1.5.5 (3.1.1 §2.2.3): seven bits per byte, low first.
@usableFromInline
enum VariableByteInteger {
    /// The largest value four bytes can carry (5.0 §1.5.5).
    @usableFromInline
    static let maximum = 268_435_455

    /// How many bytes `value` takes on the wire (1…4).
    @inlinable
    static func encodedLength(of value: Int) -> Int {
        switch value {
        case ..<128: 1
        case ..<16_384: 2
        case ..<2_097_152: 3
        default: 4
        }
    }
}

extension ByteBuffer {
    // MARK: Variable byte integer

    /// Peeks a variable byte integer at `index` without moving the reader index.
    /// Returns `nil` when the integer is not complete yet; a fourth byte that still has
    /// the continuation bit set is malformed (5.0 §1.5.5: at most four bytes).
    func getMQTTVariableByteInteger(at index: Int) throws -> (value: Int, length: Int)? {
        var value = 0
        var multiplier = 1
        for offset in 0..<4 {
            guard let byte = getInteger(at: index + offset, as: UInt8.self) else { return nil }
            value += Int(byte & 0x7F) * multiplier
            if byte & 0x80 == 0 { return (value, offset + 1) }
            multiplier &<<= 7
        }
        throw MQTTCodecError.malformedVariableByteInteger
    }

    /// Reads a variable byte integer from a packet body.
    mutating func readMQTTVariableByteInteger() throws -> Int {
        guard let (value, length) = try getMQTTVariableByteInteger(at: readerIndex) else {
            throw MQTTCodecError.invalidPacketLength
        }
        moveReaderIndex(forwardBy: length)
        return value
    }

    /// Writes `value` (0…268,435,455) in the fewest bytes [MQTT-1.5.5-1].
    @inlinable
    @discardableResult
    mutating func writeMQTTVariableByteInteger(_ value: Int) -> Int {
        precondition(value >= 0 && value <= VariableByteInteger.maximum, "variable byte integer out of range: \(value)")
        var remaining = value
        var written = 0
        repeat {
            var byte = UInt8(truncatingIfNeeded: remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            writeInteger(byte)
            written += 1
        } while remaining > 0
        return written
    }

    // MARK: Integers

    mutating func readMQTTByte() throws -> UInt8 {
        guard let value = readInteger(as: UInt8.self) else { throw MQTTCodecError.invalidPacketLength }
        return value
    }

    mutating func readMQTTTwoByteInteger() throws -> UInt16 {
        guard let value = readInteger(endianness: .big, as: UInt16.self) else {
            throw MQTTCodecError.invalidPacketLength
        }
        return value
    }

    mutating func readMQTTFourByteInteger() throws -> UInt32 {
        guard let value = readInteger(endianness: .big, as: UInt32.self) else {
            throw MQTTCodecError.invalidPacketLength
        }
        return value
    }

    /// A packet identifier, which is never 0 [MQTT-2.2.1-3].
    mutating func readMQTTPacketIdentifier() throws -> UInt16 {
        let id = try readMQTTTwoByteInteger()
        // [MQTT-2.2.1-3] a packet identifier is non-zero.
        guard id != 0 else { throw MQTTCodecError.packetIdentifierZero }
        return id
    }

    // MARK: UTF-8 strings and binary data

    /// Reads a length-prefixed UTF-8 string, rejecting ill-formed UTF-8, UTF-16 surrogates
    /// [MQTT-1.5.4-1] and U+0000 [MQTT-1.5.4-2]. The bytes are validated here, before the
    /// `String` is made, because `String(decoding:)` would silently repair them.
    mutating func readMQTTString() throws -> String {
        let length = Int(try readMQTTTwoByteInteger())
        guard length <= readableBytes else { throw MQTTCodecError.invalidPacketLength }
        let isValid = withUnsafeReadableBytes { MQTTUTF8.isValid(UnsafeRawBufferPointer(rebasing: $0[..<length])) }
        guard isValid else { throw MQTTCodecError.malformedUTF8 }
        return readString(length: length)!
    }

    /// Writes a length-prefixed UTF-8 string of at most 65,535 bytes.
    @inlinable
    mutating func writeMQTTString(_ string: String) {
        let length = string.utf8.count
        precondition(length <= Int(UInt16.max), "MQTT string longer than 65,535 bytes")
        writeInteger(UInt16(truncatingIfNeeded: length), endianness: .big)
        writeString(string)
    }

    /// Reads length-prefixed binary data as a slice of this buffer (no copy).
    mutating func readMQTTBinaryData() throws -> ByteBuffer {
        let length = Int(try readMQTTTwoByteInteger())
        guard let slice = readSlice(length: length) else { throw MQTTCodecError.invalidPacketLength }
        return slice
    }

    /// Writes length-prefixed binary data of at most 65,535 bytes.
    @inlinable
    mutating func writeMQTTBinaryData(_ data: ByteBuffer) {
        precondition(data.readableBytes <= Int(UInt16.max), "MQTT binary data longer than 65,535 bytes")
        writeInteger(UInt16(truncatingIfNeeded: data.readableBytes), endianness: .big)
        writeImmutableBuffer(data)
    }

    /// Reads a UTF-8 string pair (name, value), as in a user property.
    mutating func readMQTTStringPair() throws -> (name: String, value: String) {
        let name = try readMQTTString()
        let value = try readMQTTString()
        return (name, value)
    }
}

extension String {
    /// The bytes this string takes as an MQTT UTF-8 string: two length bytes plus its UTF-8.
    @inlinable
    var mqttEncodedLength: Int { 2 + utf8.count }
}

extension ByteBuffer {
    /// The bytes this buffer takes as MQTT binary data: two length bytes plus its bytes.
    @inlinable
    var mqttEncodedLength: Int { 2 + readableBytes }
}
