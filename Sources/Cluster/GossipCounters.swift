/// What the gossip service has seen, for the admin API and metrics.
public struct GossipCounters: Sendable, Equatable {
    public var datagramsIn = 0
    public var datagramsOut = 0
    /// Datagrams or frames whose tag did not verify: another secret, or corruption.
    public var rejectedUnauthenticated = 0
    /// Authenticated bytes that did not decode.
    public var rejectedMalformed = 0
    public var pushPullsStarted = 0
    public var pushPullsAnswered = 0
    public var pushPullsFailed = 0
    /// Sends dropped because the peer's address could not be resolved.
    public var unresolvable = 0

    public init() {}
}
