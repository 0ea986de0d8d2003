import Admin
import NIOHTTP1
import Testing

@Suite("Admin API routing")
struct AdminRouterTests {
    static let router = AdminRouter(routes: [
        AdminRoute("/api/v1/cluster/members") { _ in AdminResponse(json: "[]") },
        AdminRoute("/api/v1/clients/{clientid}") { parameters in
            AdminResponse(json: JSONText.quoted(parameters["clientid"] ?? "?"))
        },
        AdminRoute("/api/v1/drain", method: .POST) { _ in AdminResponse(status: .accepted, json: "{}") },
    ])

    private func status(_ method: HTTPMethod, _ target: String) -> HTTPResponseStatus? {
        switch Self.router.decide(method: method, target: target) {
        case .route: nil
        case .answer(let response): response.status
        }
    }

    @Test func knownPath_isRouted_withQueryIgnored() {
        #expect(status(.GET, "/api/v1/cluster/members") == nil)
        #expect(status(.GET, "/api/v1/cluster/members?pretty=1") == nil)
        #expect(status(.HEAD, "/api/v1/cluster/members/") == nil)
    }

    @Test func pathParameter_isPercentDecoded() async throws {
        guard
            case .route(let route, let parameters) = Self.router.decide(
                method: .GET,
                target: "/api/v1/clients/a%2Fb%20c"
            )
        else {
            Issue.record("expected a route")
            return
        }
        #expect(parameters == ["clientid": "a/b c"])
        #expect(await route.handler(parameters).json == #""a/b c""#)
    }

    @Test func unknownPath_gets404_withMessage() throws {
        guard case .answer(let response) = Self.router.decide(method: .GET, target: "/api/v1/nope") else {
            Issue.record("expected an answer")
            return
        }
        #expect(response.status == .notFound)
        #expect(response.json == #"{"error":"no endpoint at /api/v1/nope"}"#)
    }

    @Test func otherMethods_get405() {
        #expect(status(.POST, "/api/v1/cluster/members") == .methodNotAllowed)
        #expect(status(.DELETE, "/api/v1/clients/x") == .methodNotAllowed)
    }

    @Test func postRoute_answersPOST_only_andSaysSo() {
        #expect(status(.POST, "/api/v1/drain") == nil)
        guard case .answer(let response) = Self.router.decide(method: .GET, target: "/api/v1/drain") else {
            Issue.record("expected an answer")
            return
        }
        #expect(response.status == .methodNotAllowed)
        #expect(response.json == #"{"error":"/api/v1/drain answers POST only"}"#)
    }

    @Test func badPercentEncoding_gets400_andLongTargets_get414() {
        #expect(status(.GET, "/api/v1/clients/%zz") == .badRequest)
        #expect(status(.GET, "/api/v1/clients/%e2%82") == .badRequest, "cut-short UTF-8")
        #expect(status(.GET, "/" + String(repeating: "a", count: 3000)) == .uriTooLong)
    }

    @Test func jsonStrings_escapeQuotesBackslashesAndControls() {
        #expect(JSONText.quoted("a\"b\\c\n\u{01}é") == #""a\"b\\c\n\u0001é""#)
        #expect(JSONText.object([("k", "1"), ("s", JSONText.quoted("v"))]) == #"{"k":1,"s":"v"}"#)
    }
}
