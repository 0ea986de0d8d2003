import MQTTCodec

/// Frames of the cluster-wide session registry (cluster/PROTOCOL.md, "Sessions").
///
/// Every client identifier has one directory node, chosen by rendezvous hashing over the alive members; it
/// records which node holds the session. A node accepting a CONNECT claims the identifier at the directory,
/// which answers with the previous holder; the new node then fetches the session from that holder.
extension PeerFrame {
    /// A globally unique name for one published message: the boot of the node it was published on and a
    /// number that node never repeats. Lets a session that moved between nodes drop the copy that reached
    /// it twice (once through the old node, once directly).
    public struct Origin: Hashable, Sendable {
        public var bootID: UInt64
        public var sequence: UInt64

        public init(bootID: UInt64, sequence: UInt64) {
            self.bootID = bootID
            self.sequence = sequence
        }

        /// For messages that need no duplicate check.
        public static let none = Origin(bootID: 0, sequence: 0)
    }

    /// "I accept a connection for this client identifier": sent to its directory node.
    public struct SessionClaim: Equatable, Sendable {
        public var requestID: UInt64
        public var clientID: String
        /// Milliseconds since the epoch at the claiming node; orders claims that met different directories
        /// while membership was changing.
        public var claimedAt: UInt64

        public init(requestID: UInt64, clientID: String, claimedAt: UInt64) {
            self.requestID = requestID
            self.clientID = clientID
            self.claimedAt = claimedAt
        }
    }

    /// The directory's answer: who held the session before this claim (empty: nobody), and the claim's
    /// place in the directory's order.
    public struct SessionClaimReply: Equatable, Sendable {
        public var requestID: UInt64
        public var previousHolder: String
        /// Increases with every claim the directory node takes: of two claims, the lower came first.
        public var generation: UInt64

        public init(requestID: UInt64, previousHolder: String, generation: UInt64) {
            self.requestID = requestID
            self.previousHolder = previousHolder
            self.generation = generation
        }
    }

    /// "Hand me this client's session": from the new holder to the previous one.
    public struct SessionFetch: Equatable, Sendable {
        public var requestID: UInt64
        public var clientID: String
        /// The new connection asked for Clean Start: the old session ends instead of moving.
        public var cleanStart: Bool
        /// The fetcher's claim generation: tells a holder whose own CONNECT is under way which came first.
        public var generation: UInt64

        public init(requestID: UInt64, clientID: String, cleanStart: Bool, generation: UInt64) {
            self.requestID = requestID
            self.clientID = clientID
            self.cleanStart = cleanStart
            self.generation = generation
        }
    }

    /// A session on its way to another node: the answer to a fetch, or pushed unasked (drain, conflicts
    /// after a membership change) with request id 0. Large sessions take several frames; the last has
    /// `isFinal` set and the receiver concatenates the parts.
    public struct SessionHandoff: Equatable, Sendable {
        public var requestID: UInt64
        public var clientID: String
        public var outcome: Outcome
        public var isFinal: Bool

        public init(requestID: UInt64, clientID: String, outcome: Outcome, isFinal: Bool = true) {
            self.requestID = requestID
            self.clientID = clientID
            self.outcome = outcome
            self.isFinal = isFinal
        }

        public enum Outcome: Equatable, Sendable {
            /// No session here (it ended, or never was): start a new one.
            case absent
            /// The session moved on to this node: ask there.
            case moved(to: String)
            case state(SessionState)
        }
    }

    /// Everything of a session that must survive a move. The connection's own settings (keep alive, will,
    /// expiry) come with the new CONNECT.
    public struct SessionState: Equatable, Sendable {
        public var subscriptions: [Subscription]
        /// Incoming QoS 2 packet identifiers not yet released [MQTT-4.3.3-10].
        public var awaitingRelease: [UInt16]
        public var lastPacketID: UInt16
        /// Outgoing QoS 1/2 messages sent and not yet acknowledged, in the order they were sent.
        public var inflight: [InflightDelivery]
        public var queued: [Delivery]
        /// Seconds the session outlives its connection, for a session pushed while offline.
        public var expiryInterval: UInt32
        /// A will waiting for its delay, for a session pushed while offline.
        public var will: PendingWill?
        /// When the session's holder claimed it (milliseconds since the epoch; 0: unknown), for a pushed
        /// session: the receiver registers it with this time, so a CONNECT claimed meanwhile stays newer.
        public var claimedAt: UInt64

        public init(
            subscriptions: [Subscription] = [],
            awaitingRelease: [UInt16] = [],
            lastPacketID: UInt16 = 0,
            inflight: [InflightDelivery] = [],
            queued: [Delivery] = [],
            expiryInterval: UInt32 = 0,
            will: PendingWill? = nil,
            claimedAt: UInt64 = 0
        ) {
            self.subscriptions = subscriptions
            self.awaitingRelease = awaitingRelease
            self.lastPacketID = lastPacketID
            self.inflight = inflight
            self.queued = queued
            self.expiryInterval = expiryInterval
            self.will = will
            self.claimedAt = claimedAt
        }

        public struct PendingWill: Equatable, Sendable {
            /// The will as a PUBLISH; its Message Expiry Interval applies from when it is published.
            public var publish: MQTTPacket.Publish
            /// Seconds still to wait before publishing it.
            public var delay: UInt32

            public init(publish: MQTTPacket.Publish, delay: UInt32) {
                self.publish = publish
                self.delay = delay
            }
        }

        public struct Subscription: Equatable, Sendable {
            /// As the client wrote it, `$share/…` or `$exclusive/…` prefix included.
            public var filter: String
            public var options: MQTTPacket.SubscriptionOptions
            public var subscriptionIdentifier: UInt32?

            public init(filter: String, options: MQTTPacket.SubscriptionOptions, subscriptionIdentifier: UInt32?) {
                self.filter = filter
                self.options = options
                self.subscriptionIdentifier = subscriptionIdentifier
            }
        }

        public struct InflightDelivery: Equatable, Sendable {
            public var packetID: UInt16
            public var stage: Stage
            public var delivery: Delivery

            public init(packetID: UInt16, stage: Stage, delivery: Delivery) {
                self.packetID = packetID
                self.stage = stage
                self.delivery = delivery
            }

            public enum Stage: UInt8, Sendable {
                case awaitingPubAck = 1
                case awaitingPubRec = 2
                case awaitingPubComp = 3
            }
        }
    }

    /// One message as one subscriber receives it.
    public struct Delivery: Equatable, Sendable {
        public var origin: Origin
        /// The granted QoS and RETAIN flag this subscriber sees, which may differ from the publish's.
        public var qos: QoS
        public var retain: Bool
        public var subscriptionIdentifiers: [UInt32]
        /// The message as published (an MQTT 5.0 PUBLISH with every property).
        public var publish: MQTTPacket.Publish

        public init(
            origin: Origin,
            qos: QoS,
            retain: Bool,
            subscriptionIdentifiers: [UInt32],
            publish: MQTTPacket.Publish
        ) {
            self.origin = origin
            self.qos = qos
            self.retain = retain
            self.subscriptionIdentifiers = subscriptionIdentifiers
            self.publish = publish
        }
    }

    /// A session a node holds, as told to its directory: after a membership change moved the directory,
    /// and when the session ends.
    public struct SessionRecord: Equatable, Sendable {
        public var clientID: String
        public var claimedAt: UInt64

        public init(clientID: String, claimedAt: UInt64) {
            self.clientID = clientID
            self.claimedAt = claimedAt
        }
    }

    /// A session as `GET /api/v1/clients/{clientid}` shows it.
    public struct SessionDescription: Equatable, Sendable {
        public var connected: Bool
        public var protocolVersion: String
        public var subscriptions: [String]
        public var inflight: UInt32
        public var queued: UInt32
        public var expiryInterval: UInt32
        public var hasWill: Bool

        public init(
            connected: Bool,
            protocolVersion: String,
            subscriptions: [String],
            inflight: UInt32,
            queued: UInt32,
            expiryInterval: UInt32,
            hasWill: Bool
        ) {
            self.connected = connected
            self.protocolVersion = protocolVersion
            self.subscriptions = subscriptions
            self.inflight = inflight
            self.queued = queued
            self.expiryInterval = expiryInterval
            self.hasWill = hasWill
        }
    }
}
