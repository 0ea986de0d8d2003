/// Validation of MQTT UTF-8 strings on raw bytes (5.0 §1.5.4, 3.1.1 §1.5.3).
///
/// The bytes must be well-formed UTF-8 as in Unicode Table 3-7 (no overlong forms, nothing
/// above U+10FFFF) and must not encode a UTF-16 surrogate U+D800…U+DFFF [MQTT-1.5.4-1] or
/// U+0000 [MQTT-1.5.4-2]. Other control characters and non-characters are allowed: the
/// specification lets a receiver reject them but does not require it.
enum MQTTUTF8 {
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = asciiPrefixLength(bytes)
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                // [MQTT-1.5.4-2] U+0000 is not allowed.
                guard lead != 0 else { return false }
                index += 1
                continue
            }
            // The allowed range of the second byte depends on the lead byte: it excludes
            // overlong forms (E0, F0), surrogates (ED) [MQTT-1.5.4-1] and code points above
            // U+10FFFF (F4).
            let sequenceLength: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: sequenceLength = 2
            case 0xE0:
                sequenceLength = 3
                secondLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: sequenceLength = 3
            case 0xED:
                sequenceLength = 3
                secondHigh = 0x9F
            case 0xF0:
                sequenceLength = 4
                secondLow = 0x90
            case 0xF1...0xF3: sequenceLength = 4
            case 0xF4:
                sequenceLength = 4
                secondHigh = 0x8F
            default: return false
            }
            guard index + sequenceLength <= count else { return false }
            let second = bytes[index + 1]
            guard second >= secondLow && second <= secondHigh else { return false }
            for offset in 2..<sequenceLength where bytes[index + offset] & 0xC0 != 0x80 {
                return false
            }
            index += sequenceLength
        }
        return true
    }

    /// The length of the leading run of bytes in 0x01…0x7F, read eight at a time: topic
    /// names and client identifiers are nearly always ASCII.
    private static func asciiPrefixLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = bytes.count
        var index = 0
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // A byte is ≥ 0x80 when its high bit is set; a byte is zero when subtracting one
            // borrows into its high bit while the byte itself had it clear.
            let hasNonASCII = word & highBits != 0
            let hasZero = (word &- ones) & ~word & highBits != 0
            if hasNonASCII || hasZero { break }
            index += 8
        }
        return index
    }
}
