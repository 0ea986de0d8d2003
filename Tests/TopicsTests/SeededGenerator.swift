import StarlingTestKit

/// The tests draw from the shared SplitMix64 generator, so a failure replays from the seed printed with it.
typealias SeededGenerator = SeededRandom
