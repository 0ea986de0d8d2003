/// A Lifeguard suspicion timer (Lifeguard §4.2, "Dogpile").
///
/// The timeout starts at the maximum and shrinks towards the minimum as other members independently report the
/// same suspicion: after c of the K expected confirmations it is
/// `max(min, max − (max − min)·log(c + 1)/log(K + 1))`, measured from when this node first suspected. A suspicion
/// only this node holds therefore waits long enough for a slow node to refute, while one the whole cluster shares
/// completes quickly.
struct Suspicion: Hashable, Sendable {
    /// When this node started suspecting.
    let start: Duration
    let minimumTimeout: Duration
    let maximumTimeout: Duration
    /// K, or zero when the cluster is too small for anyone else to confirm.
    let expectedConfirmations: Int
    /// Members whose independent suspicion has been counted; the first reporter is not among them.
    private(set) var confirmers: Set<String> = []
    /// When the member is declared dead unless it refutes first.
    private(set) var deadline: Duration

    init(start: Duration, reporter: String?, minimumTimeout: Duration, maximumTimeout: Duration, expected: Int) {
        self.start = start
        self.minimumTimeout = minimumTimeout
        self.maximumTimeout = maximumTimeout
        self.expectedConfirmations = expected
        self.firstReporter = reporter
        self.deadline = start + (expected < 1 ? minimumTimeout : maximumTimeout)
    }

    private let firstReporter: String?

    /// Counts `reporter`'s suspicion if it is new, and returns whether the deadline moved.
    mutating func confirm(by reporter: String) -> Bool {
        guard expectedConfirmations > 0, reporter != firstReporter, confirmers.count < expectedConfirmations,
            confirmers.insert(reporter).inserted
        else { return false }
        let fraction =
            Logarithm.natural(Double(confirmers.count + 1)) / Logarithm.natural(Double(expectedConfirmations + 1))
        let shrunk = maximumTimeout - (maximumTimeout - minimumTimeout) * fraction
        deadline = start + max(minimumTimeout, shrunk)
        return true
    }
}
