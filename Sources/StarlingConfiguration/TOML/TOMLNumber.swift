/// TOML's number grammar: decimal integers with `_` between digits, `0x`/`0o`/`0b` integers,
/// floats with a fraction and/or exponent, `inf` and `nan`.
package enum TOMLNumber: Equatable {
    case integer(Int)
    case float(Double)
    case integerOutOfRange
    /// Looks like a TOML date or time, which we do not support.
    case dateOrTime
    /// Looks like a number but breaks a rule (the reason is the error message).
    case invalid(String)

    /// Reads `token` as a TOML number; `nil` when it does not look like a number at all.
    package static func parse(_ token: String) -> TOMLNumber? {
        let shown = TOMLValue.quoted(token)
        switch token {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        var body = Substring(token)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        if isDateOrTime(body) { return .dateOrTime }

        if body.count > 2, body.hasPrefix("0x") || body.hasPrefix("0o") || body.hasPrefix("0b") {
            guard sign.isEmpty, token.first != "+" else {
                return .invalid("a sign is not allowed on a hexadecimal, octal or binary integer: \(shown)")
            }
            let radix = body.hasPrefix("0x") ? 16 : body.hasPrefix("0o") ? 8 : 2
            let digits = body.dropFirst(2)
            guard hasUnderscoresOnlyBetweenDigits(digits, radix: radix) else {
                return .invalid("invalid integer \(shown)")
            }
            guard let value = Int(digits.filter { $0 != "_" }, radix: radix) else { return .integerOutOfRange }
            return .integer(value)
        }

        let isFloat = body.contains { $0 == "." || $0 == "e" || $0 == "E" }
        if !isFloat {
            guard hasUnderscoresOnlyBetweenDigits(body, radix: 10) else { return .invalid("invalid integer \(shown)") }
            guard !(body.count > 1 && body.first == "0") else {
                return .invalid("leading zeros are not allowed in integer \(shown)")
            }
            guard let value = Int(sign + body.filter { $0 != "_" }) else { return .integerOutOfRange }
            return .integer(value)
        }
        return parseFloat(body, sign: sign, shown: shown)
    }

    /// The TOML integer grammar applied to text that is not from a TOML document (an environment
    /// variable or a flag): optional sign, decimal digits, `_` between digits.
    package static func parseDecimalInteger(_ text: String) -> Int? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard hasUnderscoresOnlyBetweenDigits(body, radix: 10) else { return nil }
        return Int(sign + body.filter { $0 != "_" })
    }

    private static func parseFloat(_ body: Substring, sign: String, shown: String) -> TOMLNumber {
        let invalid = TOMLNumber.invalid("invalid float \(shown)")
        let exponentIndex = body.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = body[..<(exponentIndex ?? body.endIndex)]
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPart = parts[0]
        guard hasUnderscoresOnlyBetweenDigits(integerPart, radix: 10) else { return invalid }
        guard !(integerPart.count > 1 && integerPart.first == "0") else {
            return .invalid("leading zeros are not allowed in float \(shown)")
        }
        if parts.count == 2, !hasUnderscoresOnlyBetweenDigits(parts[1], radix: 10) { return invalid }
        if let exponentIndex {
            var exponent = body[body.index(after: exponentIndex)...]
            if let first = exponent.first, first == "+" || first == "-" { exponent = exponent.dropFirst() }
            guard hasUnderscoresOnlyBetweenDigits(exponent, radix: 10) else { return invalid }
        }
        guard let value = Double(sign + body.filter { $0 != "_" }), value.isFinite else { return invalid }
        return .float(value)
    }

    /// Non-empty, only digits of `radix` and `_`, and every `_` has a digit on both sides.
    private static func hasUnderscoresOnlyBetweenDigits(_ text: Substring, radix: Int) -> Bool {
        guard let first = text.first, let last = text.last, first != "_", last != "_" else { return false }
        var previousWasUnderscore = false
        for character in text {
            if character == "_" {
                if previousWasUnderscore { return false }
                previousWasUnderscore = true
            } else {
                guard character.isASCII, character.hexDigitValue.map({ $0 < radix }) == true else { return false }
                previousWasUnderscore = false
            }
        }
        return true
    }

    /// `1979-05-27`, `07:32:00` and their combinations.
    private static func isDateOrTime(_ body: Substring) -> Bool {
        let digitsBeforeSeparator = body.prefix { $0.isASCII && $0.isNumber }
        let separator = body.dropFirst(digitsBeforeSeparator.count).first
        return (digitsBeforeSeparator.count == 4 && separator == "-")
            || (digitsBeforeSeparator.count == 2 && separator == ":")
    }
}
