/// Who a cluster member is: a stable name, the boot that is running under it, and where to reach it.
///
/// The name survives restarts (`starling-0`, or `host:port`); the boot id is drawn at random each time the
/// process starts, so a restarted node is told apart from its previous life even when it comes back on the same
/// address. A membership table holds at most one entry per name: a new boot replaces the old one (see
/// ``MemberUpdate/supersedes(_:)``).
public struct NodeIdentity: Hashable, Sendable, CustomStringConvertible {
    /// Stable across restarts; the key of the membership table. 1…255 bytes of UTF-8.
    public var name: String
    /// Random per process start.
    public var bootID: UInt64
    /// Where gossip (UDP) and push-pull (TCP) reach this node, as `host:port`. 1…255 bytes of UTF-8.
    public var address: String

    public init(name: String, bootID: UInt64, address: String) {
        self.name = name
        self.bootID = bootID
        self.address = address
    }

    public var description: String {
        "\(name)#\(String(bootID, radix: 16))@\(address)"
    }
}
