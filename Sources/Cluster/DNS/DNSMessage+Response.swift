extension DNSMessage {
    /// An SRV record's data (RFC 2782). `target` is "" when it was the root, "the service is decidedly
    /// not available at this domain".
    struct ServiceRecord: Hashable, Sendable {
        var priority: UInt16
        var weight: UInt16
        var port: UInt16
        var target: String
    }

    /// An A or AAAA record: its owner name and the address as text.
    struct AddressRecord: Hashable, Sendable {
        var name: String
        var address: String
    }

    /// What a response says, as far as discovery cares.
    struct Response: Hashable, Sendable {
        var id: UInt16
        /// The TC bit: records that did not fit are missing.
        var isTruncated: Bool
        /// NOERROR (0) or NXDOMAIN (3); other codes are thrown.
        var rcode: UInt8
        /// SRV records of the answer section, in message order.
        var services: [ServiceRecord] = []
        /// A and AAAA records of the answer and additional sections, in message order.
        var addresses: [AddressRecord] = []
    }

    private enum Section {
        case answer, authority, additional
    }

    /// Reads the answer to the query with `expectedID`. NXDOMAIN is an empty response; a truncated
    /// response (TC) keeps the records that arrived whole.
    static func parseResponse(_ bytes: [UInt8], expectedID: UInt16) throws(DNSMessageError) -> Response {
        var reader = Reader(bytes)
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let questions = try reader.readUInt16()
        let answers = try reader.readUInt16()
        let authorities = try reader.readUInt16()
        let additionals = try reader.readUInt16()
        guard id == expectedID else { throw .unexpectedID }
        guard flags & flagResponse != 0 else { throw .notAResponse }
        let rcode = UInt8(flags & 0x000F)
        var response = Response(id: id, isTruncated: flags & flagTruncated != 0, rcode: rcode)
        if rcode == rcodeNameError { return response }
        guard rcode == 0 else { throw .serverFailure(rcode: rcode) }

        let sections: [(Section, UInt16)] = [
            (.answer, answers), (.authority, authorities), (.additional, additionals),
        ]
        do {
            for _ in 0..<questions {
                _ = try reader.readName()
                try reader.skip(4)  // QTYPE, QCLASS
            }
            for (section, count) in sections {
                for _ in 0..<count { try readRecord(&reader, in: section, into: &response) }
            }
        } catch .truncated where response.isTruncated {
            // The server cut the message short and said so: keep what came whole.
        }
        return response
    }

    private static func readRecord(
        _ reader: inout Reader,
        in section: Section,
        into response: inout Response
    ) throws(DNSMessageError) {
        let owner = try reader.readName()
        let type = RecordType(rawValue: try reader.readUInt16())
        let recordClass = try reader.readUInt16()
        _ = try reader.readUInt32()  // TTL: the caller re-resolves on its own schedule
        let dataLength = Int(try reader.readUInt16())
        let dataStart = reader.offset
        guard reader.remaining >= dataLength else { throw .truncated }
        let dataEnd = dataStart + dataLength
        guard recordClass == classIN else { return try reader.seek(to: dataEnd) }
        switch (section, type) {
        case (.answer, .srv):
            guard dataLength >= 7 else { throw .malformedRecord }
            let priority = try reader.readUInt16()
            let weight = try reader.readUInt16()
            let port = try reader.readUInt16()
            let target = try reader.readName()
            guard reader.offset == dataEnd else { throw .malformedRecord }
            response.services.append(
                ServiceRecord(priority: priority, weight: weight, port: port, target: target)
            )
        case (.answer, .a), (.additional, .a):
            guard dataLength == 4 else { throw .malformedRecord }
            let address = try reader.readBytes(4)
            response.addresses.append(AddressRecord(name: owner, address: ipv4Text(address)))
        case (.answer, .aaaa), (.additional, .aaaa):
            guard dataLength == 16 else { throw .malformedRecord }
            let address = try reader.readBytes(16)
            response.addresses.append(AddressRecord(name: owner, address: ipv6Text(address)))
        default:
            break
        }
        try reader.seek(to: dataEnd)
    }
}
