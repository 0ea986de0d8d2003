import NIOHTTP1

/// What the admin API answers to one request: a status and a JSON body.
public struct AdminResponse: Sendable, Equatable {
    public var status: HTTPResponseStatus
    public var json: String

    public init(status: HTTPResponseStatus = .ok, json: String) {
        self.status = status
        self.json = json
    }

    /// An error answer: `{"error": "..."}` with a 4xx or 5xx status.
    public static func error(_ status: HTTPResponseStatus, _ message: String) -> AdminResponse {
        AdminResponse(status: status, json: #"{"error":\#(JSONText.quoted(message))}"#)
    }
}

/// An endpoint: a method and a path pattern whose `{name}` segments are handed to the handler decoded.
public struct AdminRoute: Sendable {
    public let method: HTTPMethod
    public let pattern: [String]
    public let handler: @Sendable (_ parameters: [String: String]) async -> AdminResponse

    public init(
        _ path: String,
        method: HTTPMethod = .GET,
        handler: @escaping @Sendable (_ parameters: [String: String]) async -> AdminResponse
    ) {
        self.method = method
        self.pattern = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        self.handler = handler
    }

    /// Whether a request with `method` is answered by this route (HEAD by a GET route).
    func accepts(_ method: HTTPMethod) -> Bool {
        method == self.method || (self.method == .GET && method == .HEAD)
    }

    /// The parameters when `segments` fit the pattern, else nil.
    func match(_ segments: [String]) -> [String: String]? {
        guard segments.count == pattern.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                parameters[String(expected.dropFirst().dropLast())] = actual
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}
