/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): the one source of randomness in tests, so any failure replays from the
/// seed printed with it.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The seed this generator started from; print it in failure messages.
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }

    /// A uniformly chosen element of a non-empty collection.
    public mutating func pick<C: Collection>(_ elements: C) -> C.Element {
        elements.randomElement(using: &self)!
    }

    /// A size in 0…`maximum`, skewed towards the low end: small sizes are the common case,
    /// large ones still turn up.
    public mutating func size(upTo maximum: Int) -> Int {
        let bound = pick([4, 16, 64, maximum])
        return Int.random(in: 0...min(bound, maximum), using: &self)
    }
}
