import MQTTCodec
import NIOCore

/// One frame of the inter-node data protocol (cluster/PROTOCOL.md, "Peer links").
///
/// On the wire a frame is `length: UInt32` (of what follows), `type: UInt8`, then the body. A link
/// starts with both sides sending ``Hello``, then ``Authenticate``; everything after that is data.
public enum PeerFrame: Equatable, Sendable {
    case hello(Hello)
    case authenticate(Authenticate)
    /// Every route the sender holds, replacing what the receiver knew of it.
    case routeSnapshot(RouteSnapshot)
    /// One change to the sender's routes, in order.
    case routeDelta(RouteDelta)
    /// The receiver saw a gap in the deltas: send a snapshot.
    case snapshotRequest
    /// The sender has applied the receiver's routes up to this sequence number (snapshot or delta).
    case routeAck(sequence: UInt64)
    case forward(ForwardBatch)
    /// Every forward with an id up to this one has been delivered.
    case forwardAck(upTo: UInt64)
    case ping
    case pong
    /// Sessions (cluster/PROTOCOL.md, "Sessions"): claim a client identifier at its directory node.
    case sessionClaim(SessionClaim)
    case sessionClaimReply(SessionClaimReply)
    /// Ask the previous holder for a session; answered with ``sessionHandoff``.
    case sessionFetch(SessionFetch)
    case sessionHandoff(SessionHandoff)
    /// The new holder's routes are everywhere: the old holder may stop passing messages on.
    case sessionRelease(clientID: String)
    /// Sessions the sender holds, for the directory of each (after membership changed).
    case sessionRegister([SessionRecord])
    /// A session the sender held has ended.
    case sessionEnded(SessionRecord)
    /// Two nodes hold a session of one client identifier: the receiver hands its copy to `winner`.
    case sessionEvict(clientID: String, winner: String)
    /// Where is this client's session? Answered by the directory with the holder (empty: none).
    case sessionLookup(requestID: UInt64, clientID: String)
    case sessionLookupReply(requestID: UInt64, holder: String)
    /// What is the state of this client's session here? Answered by the holder.
    case sessionDescribe(requestID: UInt64, clientID: String)
    case sessionDescription(requestID: UInt64, description: SessionDescription?)
    /// A will held for a client connected to the sender, published by the receiver if the sender dies.
    case willDeposit(clientID: String, will: SessionState.PendingWill)
    case willWithdraw(clientID: String)
    /// The sender is draining: it keeps no directory records and no wills from now on.
    case nodeDraining
    /// The port the sender's MQTT listener is bound to, for Server References that send clients there.
    case mqttListener(port: UInt16)
    /// Retained messages set or cleared on the sender's node (PeerFrame+Retained.swift).
    case retainedUpdates(RetainedUpdates)
    /// Part of every retained entry the sender holds, sent when a link comes up.
    case retainedSnapshot(RetainedSnapshot)
    /// A frame type this version does not know, from a newer peer: skipped.
    case unknown(type: UInt8)

    public enum FrameType: UInt8, Sendable {
        case hello = 1
        case authenticate = 2
        case routeSnapshot = 10
        case routeDelta = 11
        case snapshotRequest = 12
        case routeAck = 13
        case forward = 20
        case forwardAck = 21
        case ping = 30
        case pong = 31
        case sessionClaim = 50
        case sessionClaimReply = 51
        case sessionFetch = 52
        case sessionHandoff = 53
        case sessionRelease = 54
        case sessionRegister = 55
        case sessionEnded = 56
        case sessionEvict = 57
        case sessionLookup = 58
        case sessionLookupReply = 59
        case willDeposit = 60
        case willWithdraw = 61
        case sessionDescribe = 64
        case sessionDescription = 65
        case nodeDraining = 66
        case mqttListener = 67
        case retainedUpdates = 40
        case retainedSnapshot = 41
    }

    /// The first frame each side sends.
    public struct Hello: Equatable, Sendable {
        /// Protocol versions the sender speaks; the link uses the highest both speak.
        public var minimumVersion: UInt8
        public var maximumVersion: UInt8
        public var clusterName: String
        public var nodeName: String
        public var bootID: UInt64
        /// 16 random bytes the peer must prove knowledge of the secret over.
        public var nonce: [UInt8]

        public init(
            minimumVersion: UInt8,
            maximumVersion: UInt8,
            clusterName: String,
            nodeName: String,
            bootID: UInt64,
            nonce: [UInt8]
        ) {
            self.minimumVersion = minimumVersion
            self.maximumVersion = maximumVersion
            self.clusterName = clusterName
            self.nodeName = nodeName
            self.bootID = bootID
            self.nonce = nonce
        }
    }

    /// Proof of the cluster secret: HMAC-SHA256 over the peer's nonce and the sender's identity.
    public struct Authenticate: Equatable, Sendable {
        /// The version the sender will speak (the highest both sides speak).
        public var version: UInt8
        public var proof: [UInt8]

        public init(version: UInt8, proof: [UInt8]) {
            self.version = version
            self.proof = proof
        }
    }

    public struct RouteSnapshot: Equatable, Sendable {
        /// The sender's boot: a new boot means a new table.
        public var bootID: UInt64
        /// The sequence number of the last delta the snapshot includes.
        public var sequence: UInt64
        public var routes: [Route]

        public init(bootID: UInt64, sequence: UInt64, routes: [Route]) {
            self.bootID = bootID
            self.sequence = sequence
            self.routes = routes
        }
    }

    public struct RouteDelta: Equatable, Sendable {
        public var bootID: UInt64
        /// One more than the previous delta's (or the snapshot's).
        public var sequence: UInt64
        public var change: Change
        public var route: Route

        public init(bootID: UInt64, sequence: UInt64, change: Change, route: Route) {
            self.bootID = bootID
            self.sequence = sequence
            self.change = change
            self.route = route
        }

        public enum Change: UInt8, Sendable {
            case add = 1
            case remove = 2
        }
    }

    /// What a node holds that makes others send it messages.
    public enum Route: Hashable, Sendable {
        /// At least one local subscriber of this filter (one route however many subscribers).
        case filter(String)
        /// A member of a shared group, by client identifier.
        case sharedMember(group: String, filter: String, clientID: String)
        /// The holder of an exclusive subscription, with when it was granted (to settle a race).
        case exclusive(topic: String, clientID: String, grantedAt: UInt64)
    }

    public struct ForwardBatch: Equatable, Sendable {
        public var messages: [ForwardedMessage]

        public init(messages: [ForwardedMessage]) {
            self.messages = messages
        }
    }

    /// A message sent to a node that has subscribers for it. The receiver delivers it locally only.
    public struct ForwardedMessage: Equatable, Sendable {
        /// Per sender boot and receiver, increasing; 0 for QoS 0, which is neither acknowledged nor replayed.
        public var id: UInt64
        /// Where the message was first published, to drop a second copy at a session that just moved.
        public var origin: Origin
        public var target: Target
        /// The message as an MQTT 5.0 PUBLISH: topic, payload, QoS, retain flag and every property; its
        /// Message Expiry Interval is the time left when it was sent.
        public var publish: MQTTPacket.Publish
        /// Times a shared message has been re-dispatched because its member was gone; capped.
        public var hops: UInt8

        public init(
            id: UInt64,
            origin: Origin = .none,
            target: Target,
            publish: MQTTPacket.Publish,
            hops: UInt8 = 0
        ) {
            self.id = id
            self.origin = origin
            self.target = target
            self.publish = publish
            self.hops = hops
        }

        public enum Target: Equatable, Sendable {
            /// Every local subscription that matches (shared groups excepted).
            case subscribers
            /// One chosen member of a shared group.
            case sharedMember(group: String, filter: String, clientID: String)
            /// One session that moved to the receiver, with what its subscriptions granted: sent by the node
            /// it left while other nodes still route to that node.
            case session(clientID: String, qos: QoS, retain: Bool, subscriptionIdentifiers: [UInt32])
        }
    }
}
