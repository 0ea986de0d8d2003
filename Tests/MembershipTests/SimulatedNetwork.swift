import Membership

/// The links between simulated nodes: datagram loss, delay, partitions, and targeted drop rules.
struct SimulatedNetwork {
    /// Probability that a datagram is lost. Push-pulls (TCP) are never lost, only blocked by partitions.
    var lossRate: Double = 0
    var minimumDelay: Duration = .milliseconds(1)
    var maximumDelay: Duration = .milliseconds(10)
    /// The group of each partitioned node; nodes in different groups cannot reach each other. Empty: no partition.
    var partitionGroup: [Int: Int] = [:]
    /// Drops the datagrams it returns true for: `(message, sender, receiver)`.
    var dropRule: ((GossipMessage, Int, Int) -> Bool)?

    func canReach(from sender: Int, to receiver: Int) -> Bool {
        guard !partitionGroup.isEmpty else { return true }
        return partitionGroup[sender] == partitionGroup[receiver]
    }

    /// Splits the nodes into the given groups.
    mutating func partition(_ groups: [[Int]]) {
        partitionGroup = [:]
        for (group, nodes) in groups.enumerated() {
            for node in nodes { partitionGroup[node] = group }
        }
    }

    mutating func heal() {
        partitionGroup = [:]
    }

    func delay(using random: inout SimulationRandom) -> Duration {
        let low = minimumDelay.components
        let high = maximumDelay.components
        let lowNanos = low.seconds * 1_000_000_000 + low.attoseconds / 1_000_000_000
        let highNanos = high.seconds * 1_000_000_000 + high.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: lowNanos...max(lowNanos, highNanos), using: &random))
    }
}
