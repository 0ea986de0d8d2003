import NIOHTTP1

/// Picks the route for a request. Pure, so every answer to a bad request is unit-tested.
public struct AdminRouter: Sendable {
    public let routes: [AdminRoute]

    /// Longest request target accepted; longer ones get 414.
    static let maximumTargetLength = 2048

    public init(routes: [AdminRoute]) {
        self.routes = routes
    }

    public enum Decision: Sendable {
        case route(AdminRoute, parameters: [String: String])
        case answer(AdminResponse)
    }

    public func decide(method: HTTPMethod, target: String) -> Decision {
        guard target.utf8.count <= Self.maximumTargetLength else {
            return .answer(.error(.uriTooLong, "request target longer than \(Self.maximumTargetLength) bytes"))
        }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = String(raw).removingPercentEncodingStrictly() else {
                return .answer(.error(.badRequest, "malformed percent-encoding in \"\(raw)\""))
            }
            segments.append(decoded)
        }
        let matching = routes.compactMap { route in route.match(segments).map { (route, $0) } }
        guard !matching.isEmpty else {
            return .answer(.error(.notFound, "no endpoint at \(path)"))
        }
        guard let (route, parameters) = matching.first(where: { $0.0.accepts(method) }) else {
            let allowed = matching.map { "\($0.0.method)" }.joined(separator: ", ")
            return .answer(.error(.methodNotAllowed, "\(path) answers \(allowed) only"))
        }
        return .route(route, parameters: parameters)
    }
}

extension String {
    /// Decodes `%XX` escapes; nil when an escape is cut short, not hex, or the result is not UTF-8.
    func removingPercentEncodingStrictly() -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
