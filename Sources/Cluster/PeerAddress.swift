import NIOCore

/// `host:port` text as gossip carries it, to and from `SocketAddress`.
enum PeerAddress {
    /// Splits `host:port`, `[v6]:port`; nil when malformed.
    static func split(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = Substring(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        return (String(host), port)
    }

    static func text(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static func text(_ address: SocketAddress) -> String? {
        guard let ip = address.ipAddress, let port = address.port else { return nil }
        return text(host: ip, port: port)
    }

    /// The address without a name lookup when `text` holds an IP literal.
    static func literal(_ text: String) -> SocketAddress? {
        guard let (host, port) = split(text) else { return nil }
        return try? SocketAddress(ipAddress: host, port: port)
    }
}
