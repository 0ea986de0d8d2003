import MQTTCodec

/// Retained replication frames (cluster/PROTOCOL.md, "Retained messages").
extension PeerFrame {
    /// The state of one topic's retained message as of one write: the message, or a tombstone when the
    /// write cleared it, and the write's version (hybrid logical clock timestamp, then origin node).
    public struct RetainedEntry: Equatable, Sendable {
        public var topic: String
        /// The write's hybrid logical clock timestamp: milliseconds since the Unix epoch…
        public var wallMilliseconds: UInt64
        /// …and the logical counter that orders writes within one millisecond.
        public var logical: UInt32
        /// The node the write was made on: settles writes with equal timestamps.
        public var origin: String
        public var content: Content

        public init(topic: String, wallMilliseconds: UInt64, logical: UInt32, origin: String, content: Content) {
            self.topic = topic
            self.wallMilliseconds = wallMilliseconds
            self.logical = logical
            self.origin = origin
            self.content = content
        }

        public enum Content: Equatable, Sendable {
            /// The retained message as an MQTT 5.0 PUBLISH with the entry's topic; its Message Expiry
            /// Interval is the time it has left.
            case message(MQTTPacket.Publish)
            /// The topic was cleared.
            case tombstone
        }
    }

    /// Writes made on the sender's node, in the order it made them.
    public struct RetainedUpdates: Equatable, Sendable {
        public var entries: [RetainedEntry]

        public init(entries: [RetainedEntry]) {
            self.entries = entries
        }
    }

    /// One frame of the sender's whole retained store, tombstones included; a large store takes several.
    public struct RetainedSnapshot: Equatable, Sendable {
        /// Set on the snapshot's final frame.
        public var isLast: Bool
        public var entries: [RetainedEntry]

        public init(isLast: Bool, entries: [RetainedEntry]) {
            self.isLast = isLast
            self.entries = entries
        }
    }
}
