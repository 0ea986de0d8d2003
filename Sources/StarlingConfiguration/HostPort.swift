/// An address to listen on: `0.0.0.0:1883`, `localhost:1883`, or `[::]:1883` for IPv6.
public struct HostPort: Sendable, Hashable, LosslessStringConvertible {
    /// Host name or address, without the brackets of an IPv6 address.
    public var host: String
    /// 0…65535; 0 asks the system for a free port.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; `nil` when the text is not of that form or the port is out of range.
    public init?(_ description: String) {
        guard case .valid(let parsed) = Self.parse(description) else { return nil }
        self = parsed
    }

    /// `HOST:PORT`, with brackets around an IPv6 address.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    enum ParseResult: Equatable {
        case valid(HostPort)
        case portOutOfRange
        case malformed
    }

    static func parse(_ text: String) -> ParseResult {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            // IPv6 needs brackets, since its own colons would be mistaken for the port separator.
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else { return .malformed }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            // An address of hex digits, colons and dots (an embedded IPv4), then perhaps a `%zone`.
            let address = host.prefix { $0 != "%" }
            let zone = host.dropFirst(address.count)
            guard address.contains(":"), address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }),
                zone.isEmpty
                    || (zone.count > 1 && zone.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }))
            else { return .malformed }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .malformed }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            let isHostCharacter: (Character) -> Bool = {
                $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_")
            }
            guard !host.isEmpty, host.allSatisfy(isHostCharacter) else { return .malformed }
        }
        guard !portText.isEmpty, portText.count <= 10, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText)
        else { return .malformed }
        guard (0...65535).contains(port) else { return .portOutOfRange }
        return .valid(HostPort(host: String(host), port: port))
    }
}
