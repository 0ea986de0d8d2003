/// One UDP gossip message (SWIM's ping, ping-req and ack, Lifeguard's nack, and a bare update carrier), with the
/// membership updates piggybacked on it. cluster/PROTOCOL.md gives the bytes; ``GossipCodec`` reads and writes
/// them. The shell adds the authentication envelope around the encoded bytes.
public struct GossipMessage: Hashable, Sendable {
    /// Must equal ``MembershipConfiguration/clusterName`` or the message is ignored.
    public var clusterName: String
    /// The name of the member that sent it. Replies go to the datagram's source address, not to a looked-up
    /// address, so a node can answer one it has not heard of yet.
    public var senderName: String
    public var kind: Kind
    /// Piggybacked gossip (SWIM §4.1).
    public var updates: [MemberUpdate]

    public init(clusterName: String, senderName: String, kind: Kind, updates: [MemberUpdate] = []) {
        self.clusterName = clusterName
        self.senderName = senderName
        self.kind = kind
        self.updates = updates
    }

    public enum Kind: Hashable, Sendable {
        /// A direct probe. The target must answer with an ``Ack`` carrying the same sequence number.
        case ping(Ping)
        /// Asks the receiver to probe `target` on the sender's behalf and relay the ack (SWIM §3.1).
        case pingRequest(PingRequest)
        /// Answers a ping, directly or relayed.
        case ack(Ack)
        /// From a relay: the target did not ack in time, but the relay itself is alive and listening (Lifeguard
        /// §4.3), so the prober's own link is not to blame.
        case nack(Nack)
        /// Only carries updates; sent when leaving so peers learn of it at once rather than at the next probe.
        case gossip
    }

    public struct Ping: Hashable, Sendable {
        public var sequence: UInt32
        /// Whom the prober meant: a node on the same address under another name or boot does not answer for it.
        public var targetName: String
        public var targetBootID: UInt64

        public init(sequence: UInt32, targetName: String, targetBootID: UInt64) {
            self.sequence = sequence
            self.targetName = targetName
            self.targetBootID = targetBootID
        }
    }

    public struct PingRequest: Hashable, Sendable {
        /// The prober's sequence number, echoed in the relayed ack or nack.
        public var sequence: UInt32
        public var target: NodeIdentity
        /// Whether the prober wants a nack when the target stays silent.
        public var wantsNack: Bool

        public init(sequence: UInt32, target: NodeIdentity, wantsNack: Bool) {
            self.sequence = sequence
            self.target = target
            self.wantsNack = wantsNack
        }
    }

    public struct Ack: Hashable, Sendable {
        public var sequence: UInt32

        public init(sequence: UInt32) {
            self.sequence = sequence
        }
    }

    public struct Nack: Hashable, Sendable {
        public var sequence: UInt32

        public init(sequence: UInt32) {
            self.sequence = sequence
        }
    }
}
