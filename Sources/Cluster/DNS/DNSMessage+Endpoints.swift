extension DNSMessage {
    /// A place to reach a service: an IP address or a host name still to be resolved, and a port.
    struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        var host: String
        var port: Int

        var description: String { PeerAddress.text(host: host, port: port) }
    }
}

extension DNSMessage.Response {
    /// The SRV targets, by priority (lowest first) then weight (heaviest first), then name. A target with
    /// address records in the response becomes one endpoint per address; one without stays a name. Targets
    /// of "." are left out (RFC 2782), and so are repeats.
    ///
    /// RFC 2782 picks among equal priorities at random in proportion to weight; discovery contacts every
    /// target, so a fixed order is enough and keeps this pure.
    var endpoints: [DNSMessage.Endpoint] {
        var addressesByName: [String: [String]] = [:]
        for record in addresses {
            addressesByName[DNSMessage.foldCase(record.name), default: []].append(record.address)
        }
        let ordered = services.sorted { left, right in
            if left.priority != right.priority { return left.priority < right.priority }
            if left.weight != right.weight { return left.weight > right.weight }
            if left.target != right.target { return left.target < right.target }
            return left.port < right.port
        }
        var seen = Set<DNSMessage.Endpoint>()
        var result: [DNSMessage.Endpoint] = []
        for service in ordered where !service.target.isEmpty {
            let hosts = addressesByName[DNSMessage.foldCase(service.target)] ?? [service.target]
            for host in hosts {
                let endpoint = DNSMessage.Endpoint(host: host, port: Int(service.port))
                if seen.insert(endpoint).inserted { result.append(endpoint) }
            }
        }
        return result
    }
}

extension DNSMessage {
    /// ASCII lower case: DNS names compare case-insensitively in ASCII only (RFC 4343).
    static func foldCase(_ name: String) -> String {
        String(decoding: name.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Dotted decimal.
    static func ipv4Text(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map(String.init).joined(separator: ".")
    }

    /// RFC 5952 text: lower-case hex groups without leading zeros, the longest run of two or more zero
    /// groups (the first, on a tie) written as "::".
    static func ipv6Text(_ bytes: ArraySlice<UInt8>) -> String {
        let octets = Array(bytes)
        guard octets.count == 16 else { return "" }
        let groups = (0..<8).map { UInt16(octets[2 * $0]) << 8 | UInt16(octets[2 * $0 + 1]) }
        var best = (start: 0, length: 0)
        var run = (start: 0, length: 0)
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if run.length == 0 { run.start = index }
                run.length += 1
                if run.length > best.length { best = run }
            } else {
                run.length = 0
            }
        }
        let hex = { (slice: ArraySlice<UInt16>) in slice.map { String($0, radix: 16) }.joined(separator: ":") }
        guard best.length >= 2 else { return hex(groups[...]) }
        return hex(groups[..<best.start]) + "::" + hex(groups[(best.start + best.length)...])
    }
}
