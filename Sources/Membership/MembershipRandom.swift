/// The state machine's own generator (xoshiro256**, Blackman and Vigna 2018), seeded once from the generator the
/// shell passes in. Every random choice — probe order, indirect probers, push-pull partner, first-tick jitter —
/// comes from here, so a simulation replays exactly from its seed.
struct MembershipRandom: RandomNumberGenerator, Hashable, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        // Expand the seed with SplitMix64, as the xoshiro authors recommend, so no state word is zero.
        var mix = seed
        func splitMix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Up to `count` distinct elements of `elements`, in random order.
    mutating func sample<Element>(_ elements: [Element], count: Int) -> [Element] {
        var pool = elements
        let taken = min(count, pool.count)
        for index in 0..<taken {
            pool.swapAt(index, Int.random(in: index..<pool.count, using: &self))
        }
        return Array(pool.prefix(taken))
    }
}
