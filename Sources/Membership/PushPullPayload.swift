/// A node's whole membership table, exchanged over TCP in both directions: periodically with a random member, on
/// join with the seeds, and on reconnect with a seed or dead member. It repairs whatever piggybacking lost and is
/// what merges the halves of a healed partition.
public struct PushPullPayload: Hashable, Sendable {
    /// Must equal ``MembershipConfiguration/clusterName`` or the payload is ignored and not answered.
    public var clusterName: String
    public var senderName: String
    /// Set when the sender has no other alive member yet.
    public var isJoin: Bool
    /// Every member the sender knows, itself included, dead and left ones too.
    public var members: [MemberUpdate]

    public init(clusterName: String, senderName: String, isJoin: Bool, members: [MemberUpdate]) {
        self.clusterName = clusterName
        self.senderName = senderName
        self.isJoin = isJoin
        self.members = members
    }
}
