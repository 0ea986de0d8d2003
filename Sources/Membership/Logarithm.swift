/// Logarithms without Foundation, which this target does not import. Timeouts need only a few digits, but the
/// result is exact to a few ulps and the same on every platform, which keeps simulations reproducible.
enum Logarithm {
    private static let ln2 = 0.693_147_180_559_945_309_417_232_121_458
    private static let ln10 = 2.302_585_092_994_045_684_017_991_454_684

    /// ln(x) for x > 0; 0 for anything else (callers pass sizes and counts, never zero).
    static func natural(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return 0 }
        // x = m·2^e with m in [1, 2); ln m = 2·atanh((m − 1)/(m + 1)), and |z| ≤ 1/3 converges quickly.
        let exponent = Double(x.exponent)
        let mantissa = x.significand
        let z = (mantissa - 1) / (mantissa + 1)
        let zSquared = z * z
        var term = z
        var sum = 0.0
        var denominator = 1.0
        while true {
            let next = sum + term / denominator
            if next == sum { break }
            sum = next
            term *= zSquared
            denominator += 2
        }
        return exponent * ln2 + 2 * sum
    }

    static func base10(_ x: Double) -> Double {
        natural(x) / ln10
    }
}
