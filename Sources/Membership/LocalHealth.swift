/// Lifeguard's local health multiplier (Lifeguard §4.1, "Local Health Aware Probe").
///
/// A node that is itself slow — overloaded, paused, or on a lossy link — misses acks from healthy members and
/// would wrongly suspect them. It notices by counting evidence of its own trouble: a probe that failed although
/// the relays it asked did not even send nacks, or a suspicion about itself. The score scales its probe period and
/// probe timeout by `score + 1`, so a struggling node probes less and waits longer instead of accusing others.
struct LocalHealth: Hashable, Sendable {
    let maximum: Int
    private(set) var score: Int = 0

    init(maximum: Int) {
        self.maximum = max(0, maximum)
    }

    /// The factor applied to the probe period and probe timeout.
    var multiplier: Int { score + 1 }

    mutating func apply(_ delta: Int) {
        score = min(maximum, max(0, score + delta))
    }

    func scale(_ duration: Duration) -> Duration {
        duration * multiplier
    }
}
