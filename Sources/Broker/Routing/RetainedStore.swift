import NIOConcurrencyHelpers
import NIOCore
import Topics

/// The retained message of every topic, shared by all event loops.
///
/// Reads happen on SUBSCRIBE and writes on PUBLISH with RETAIN set, both rare next to
/// ordinary publishes, so one lock is simpler than sharding and costs nothing on the hot path.
final class RetainedStore: Sendable {
    private let index = NIOLockedValueBox(RetainedIndex<Message>())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    enum StoreOutcome: Equatable {
        case stored
        case cleared
        /// The store is full and the topic had no retained message yet.
        case rejectedFull
    }

    /// Replaces the topic's retained message; an empty payload clears it [MQTT-3.3.1-10/11].
    func store(_ message: Message) -> StoreOutcome {
        index.withLockedValue { index in
            if message.payload.readableBytes == 0 {
                _ = index.removeValue(for: message.topic)
                return .cleared
            }
            if index.count >= capacity, index.value(for: message.topic) == nil {
                return .rejectedFull
            }
            _ = index.set(message.topic, message)
            return .stored
        }
    }

    /// Every live retained message matching `filter`; expired ones are removed on the way.
    func messages(matching filter: TopicFilter, now: NIODeadline) -> [Message] {
        index.withLockedValue { index in
            var found: [Message] = []
            var expired: [TopicName] = []
            index.forEachMatch(filter) { topic, message in
                if message.isExpired(at: now) {
                    expired.append(topic)
                } else {
                    found.append(message)
                }
            }
            for topic in expired { _ = index.removeValue(for: topic) }
            return found
        }
    }

    var count: Int { index.withLockedValue { $0.count } }
}
