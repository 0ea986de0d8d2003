import NIOConcurrencyHelpers
import NIOCore
import StarlingTestKit
import Testing

final class NIOLockedValueBoxWrapper: Sendable {
    private let box = NIOLockedValueBox([MQTTTestClient]())
    func append(_ client: MQTTTestClient) { box.withLockedValue { $0.append(client) } }
    var all: [MQTTTestClient] { box.withLockedValue { $0 } }
}

extension Issue {
    static func recordUnexpected(_ value: Any, sourceLocation: SourceLocation = #_sourceLocation) {
        Issue.record("unexpected packet: \(value)", sourceLocation: sourceLocation)
    }
}
