/// Finds the known name a misspelt one was probably meant to be, for "did you mean …?".
enum KeySuggestion {
    /// The candidate closest to `name` by edit distance, if close enough to be a likely typo; otherwise one
    /// with the same last part (`max_packet_size` written outside `[mqtt]`).
    static func closest(to name: String, among candidates: [String]) -> String? {
        let typed = Array(name.lowercased())
        let scored = candidates.map { candidate in
            (candidate: candidate, distance: editDistance(typed, Array(candidate.lowercased())))
        }
        // Allow about one mistake per four characters, and at least two (one swapped pair).
        let allowed = max(2, typed.count / 4)
        if let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= allowed {
            return best.candidate
        }
        let lastPart = name.split(separator: ".").last
        return candidates.first { $0.split(separator: ".").last == lastPart }
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
