import MQTTCodec
import NIOCore
import Topics

/// What makes other nodes send this node messages: announced to the cluster as it changes.
public enum LocalRoute: Hashable, Sendable {
    /// At least one local session subscribes to this filter (not shared): one route however many do.
    case filter(TopicFilter)
    /// A local session is a member of this shared group.
    case sharedMember(group: String, filter: TopicFilter, clientID: String)
    /// A local session holds this exclusive subscription since `grantedAt` (milliseconds since the epoch).
    case exclusive(filter: TopicFilter, clientID: String, grantedAt: UInt64)
}

/// The cluster layer as the broker sees it. The broker calls it from any event loop; implementations hand
/// the work to their own loop and must not block.
public protocol ClusterBridge: AnyObject, Sendable {
    /// A route appeared or disappeared here. Calls for one route arrive in the order of the changes.
    func localRouteChanged(_ route: LocalRoute, added: Bool)
    /// Completes on `eventLoop` once every peer has applied this node's routes as they are now (or after a
    /// short time limit), so a SUBACK sent then means a publish anywhere in the cluster reaches the subscriber.
    func routesPropagated(on eventLoop: any EventLoop) -> EventLoopFuture<Void>
    /// A message a local client published, after local delivery: send it to the nodes with matching
    /// subscriptions (not shared groups, which the broker dispatches itself).
    func forward(_ message: Message, fromShard shardIndex: Int)
    /// One member of a shared group on another node was chosen for this message.
    func forwardShared(
        _ message: Message,
        toNode node: String,
        group: String,
        filter: TopicFilter,
        clientID: String,
        hops: UInt8,
        fromShard shardIndex: Int
    )

    /// Claims `clientID` cluster-wide for a CONNECT accepted here, then calls `attach` on no particular loop
    /// with the session another node held (nil when none did, or this node holds it), exactly once. The
    /// future `attach` returns completes once the session is attached here; claims and fetches of the same
    /// client identifier wait for it.
    func claimSession(
        clientID: String,
        cleanStart: Bool,
        attach: @escaping @Sendable (SessionSnapshot?) -> EventLoopFuture<Void>
    )
    /// A session held here ended (expiry, Clean Start, clean disconnect of a 0-expiry session).
    func sessionEnded(clientID: String)
    /// A message reached a session that moved to `node`: pass it on there.
    func forwardToSession(
        _ message: Message,
        node: String,
        clientID: String,
        qos: QoS,
        retain: Bool,
        subscriptionIdentifiers: [UInt32],
        fromShard shardIndex: Int
    )
    /// The will of a client connected here was set or cleared: a second node keeps a copy, to publish it if
    /// this node dies.
    func willChanged(clientID: String, will: WillMessage?)
    /// A local client set or cleared a retained message: send the update to every peer.
    func retainedChanged(_ update: RetainedUpdate)
}
