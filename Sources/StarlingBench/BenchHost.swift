/// One broker address to connect to, parsed from `HOST:PORT`, `[IPv6]:PORT` or `HOST` (port 1883).
public struct BenchHost: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let defaultPort = 1883

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:1883`, `[::1]:1883`, `broker.local` (default port).
    public init(parsing text: String) throws(BenchConfigurationError) {
        if text.hasPrefix("[") {
            // Bracketed IPv6 literal, optionally followed by :PORT.
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost(text) }
            let address = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard !address.isEmpty else { throw .invalidHost(text) }
            if rest.isEmpty {
                self.init(host: address, port: Self.defaultPort)
            } else {
                guard rest.hasPrefix(":"), let port = Self.port(rest.dropFirst()) else { throw .invalidHost(text) }
                self.init(host: address, port: port)
            }
            return
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 0 {
            guard !text.isEmpty else { throw .invalidHost(text) }
            self.init(host: text, port: Self.defaultPort)
        } else if colons == 1, let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon])
            guard !name.isEmpty, let port = Self.port(text[text.index(after: colon)...]) else {
                throw .invalidHost(text)
            }
            self.init(host: name, port: port)
        } else {
            // A bare IPv6 literal is ambiguous with a port: require brackets.
            throw .invalidHost(text)
        }
    }

    private static func port(_ text: Substring) -> Int? {
        guard let port = Int(text), (1...65_535).contains(port) else { return nil }
        return port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
