extension DNSMessage {
    /// A cursor over a whole message. Every read checks its bounds and throws
    /// ``DNSMessageError/truncated`` rather than trapping.
    struct Reader {
        let bytes: [UInt8]
        private(set) var offset: Int

        init(_ bytes: [UInt8], offset: Int = 0) {
            self.bytes = bytes
            self.offset = offset
        }

        var remaining: Int { bytes.count - offset }

        mutating func readUInt8() throws(DNSMessageError) -> UInt8 {
            guard remaining >= 1 else { throw .truncated }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func readUInt16() throws(DNSMessageError) -> UInt16 {
            guard remaining >= 2 else { throw .truncated }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func readUInt32() throws(DNSMessageError) -> UInt32 {
            let high = try readUInt16()
            let low = try readUInt16()
            return UInt32(high) << 16 | UInt32(low)
        }

        mutating func readBytes(_ count: Int) throws(DNSMessageError) -> ArraySlice<UInt8> {
            guard count >= 0, remaining >= count else { throw .truncated }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func skip(_ count: Int) throws(DNSMessageError) {
            guard count >= 0, remaining >= count else { throw .truncated }
            offset += count
        }

        /// Moves to `target`, which must lie within the message.
        mutating func seek(to target: Int) throws(DNSMessageError) {
            guard (0...bytes.count).contains(target) else { throw .truncated }
            offset = target
        }

        /// A possibly compressed name, as dotted text without the trailing dot ("" for the root). Leaves
        /// the cursor after the name as it appears here: after its first pointer, if it has one.
        mutating func readName() throws(DNSMessageError) -> String {
            var labels: [String] = []
            var position = offset
            // Where the labels being read began; a pointer must land before it (see the type's essay).
            var segmentStart = offset
            var resumeAt: Int?
            var length = 1  // the final zero byte
            while true {
                guard position < bytes.count else { throw .truncated }
                let lead = bytes[position]
                switch lead & 0xC0 {
                case 0x00:
                    if lead == 0 {
                        offset = resumeAt ?? position + 1
                        return labels.joined(separator: ".")
                    }
                    let start = position + 1
                    let end = start + Int(lead)
                    guard end <= bytes.count else { throw .truncated }
                    length += 1 + Int(lead)
                    guard length <= DNSMessage.maximumNameLength else { throw .nameTooLong }
                    labels.append(String(decoding: bytes[start..<end], as: UTF8.self))
                    position = end
                case 0xC0:
                    // RFC 1035 §4.1.4: 11 then a 14-bit offset from the start of the message.
                    guard position + 1 < bytes.count else { throw .truncated }
                    let target = Int(lead & 0x3F) << 8 | Int(bytes[position + 1])
                    guard target < bytes.count else { throw .pointerOutOfRange }
                    guard target < segmentStart else { throw .pointerLoop }
                    if resumeAt == nil { resumeAt = position + 2 }
                    segmentStart = target
                    position = target
                default:
                    throw .reservedLabelType
                }
            }
        }
    }
}
