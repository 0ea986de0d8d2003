extension TOMLParser {
    /// A value after `=` or inside an array.
    mutating func parseValue() throws(TOMLSyntaxError) -> TOMLValue {
        let valueLine = line
        switch peek() {
        case UInt8(ascii: "\""):
            if peek(offset: 1) == UInt8(ascii: "\""), peek(offset: 2) == UInt8(ascii: "\"") {
                throw TOMLSyntaxError(line: line, "multi-line strings (\"\"\") are not supported")
            }
            return TOMLValue(.string(try parseBasicString()), line: valueLine)
        case UInt8(ascii: "'"):
            if peek(offset: 1) == UInt8(ascii: "'"), peek(offset: 2) == UInt8(ascii: "'") {
                throw TOMLSyntaxError(line: line, "multi-line strings (''') are not supported")
            }
            return TOMLValue(.string(try parseLiteralString()), line: valueLine)
        case UInt8(ascii: "["):
            return TOMLValue(.array(try parseArray()), line: valueLine)
        case UInt8(ascii: "{"):
            throw TOMLSyntaxError(line: line, "inline tables ({…}) are not supported")
        case nil, UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
            throw TOMLSyntaxError(line: line, "expected a value, got the end of the line")
        default:
            return TOMLValue(try parseBareValue(), line: valueLine)
        }
    }

    // MARK: Strings

    /// A `"…"` string with escapes; the cursor is on the opening quote.
    mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var start = index
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw TOMLSyntaxError(line: line, "unterminated string (missing closing \")")
            }
            switch byte {
            case UInt8(ascii: "\""):
                scalars.append(contentsOf: String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars)
                index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars)
                scalars.append(try parseEscape())
                start = index
            default:
                if Self.isForbiddenControl(byte) {
                    throw TOMLSyntaxError(line: line, "control characters must be escaped in strings")
                }
                index += 1
            }
        }
    }

    /// One escape sequence; the cursor is on the backslash.
    private mutating func parseEscape() throws(TOMLSyntaxError) -> Unicode.Scalar {
        index += 1
        guard let byte = peek() else { throw TOMLSyntaxError(line: line, "unterminated string (missing closing \")") }
        index += 1
        switch byte {
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "u"): return try parseUnicodeEscape(digits: 4)
        case UInt8(ascii: "U"): return try parseUnicodeEscape(digits: 8)
        default:
            let shown = String(decoding: [UInt8(ascii: "\\"), byte], as: UTF8.self)
            throw TOMLSyntaxError(line: line, "invalid escape sequence \(TOMLValue.quoted(shown)) in string")
        }
    }

    private mutating func parseUnicodeEscape(digits: Int) throws(TOMLSyntaxError) -> Unicode.Scalar {
        guard index + digits <= bytes.count,
            let value = UInt32(String(decoding: bytes[index..<(index + digits)], as: UTF8.self), radix: 16),
            bytes[index..<(index + digits)].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
        else {
            throw TOMLSyntaxError(
                line: line,
                "expected \(digits) hexadecimal digits after \\\(digits == 4 ? "u" : "U")"
            )
        }
        index += digits
        // Surrogates and values above U+10FFFF are not Unicode scalar values.
        guard let scalar = Unicode.Scalar(value) else {
            throw TOMLSyntaxError(line: line, "\\\(digits == 4 ? "u" : "U") escape is not a Unicode scalar value")
        }
        return scalar
    }

    /// A `'…'` string, taken literally; the cursor is on the opening quote.
    mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        index += 1
        let start = index
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") else {
                throw TOMLSyntaxError(line: line, "unterminated string (missing closing ')")
            }
            if byte == UInt8(ascii: "'") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if Self.isForbiddenControl(byte) {
                throw TOMLSyntaxError(line: line, "control characters are not allowed in literal strings")
            }
            index += 1
        }
    }

    // MARK: Arrays

    /// `[a, b, …]`, possibly over several lines with comments and a trailing comma; the cursor is on `[`.
    private mutating func parseArray() throws(TOMLSyntaxError) -> [TOMLValue] {
        let openingLine = line
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipArrayWhitespace(openingLine: openingLine)
            if peek() == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            elements.append(try parseValue())
            try skipArrayWhitespace(openingLine: openingLine)
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return elements
            default:
                throw TOMLSyntaxError(line: line, "expected \",\" or \"]\" in array, got \(restOfLine())")
            }
        }
    }

    /// Inside an array, spaces, line breaks and comments may appear between elements.
    private mutating func skipArrayWhitespace(openingLine: Int) throws(TOMLSyntaxError) {
        while true {
            skipSpaces()
            switch peek() {
            case nil:
                throw TOMLSyntaxError(line: openingLine, "unterminated array (missing closing \"]\")")
            case UInt8(ascii: "#"):
                try skipComment()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try consumeNewline()
            default:
                return
            }
        }
    }

    // MARK: Booleans and numbers

    /// An unquoted value: a boolean or a number. Unquoted words get a hint that strings need quotes.
    private mutating func parseBareValue() throws(TOMLSyntaxError) -> TOMLValue.Kind {
        let start = index
        while let byte = peek(), !Self.endsBareValue(byte) { index += 1 }
        let token = String(decoding: bytes[start..<index], as: UTF8.self)
        switch token {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: break
        }
        switch TOMLNumber.parse(token) {
        case .integer(let number): return .integer(number)
        case .float(let number): return .float(number)
        case .integerOutOfRange:
            throw TOMLSyntaxError(line: line, "integer \(token) does not fit in 64 bits")
        case .dateOrTime:
            throw TOMLSyntaxError(line: line, "dates and times are not supported, got \(token)")
        case .invalid(let reason):
            throw TOMLSyntaxError(line: line, reason)
        case nil:
            let looksLikeWord = token.first.map { $0.isLetter } ?? false
            let hint = looksLikeWord ? " (strings need quotes)" : ""
            let shown = token.isEmpty ? restOfLine() : TOMLValue.quoted(token)
            throw TOMLSyntaxError(line: line, "expected a value, got \(shown)\(hint)")
        }
    }

    private static func endsBareValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","),
            UInt8(ascii: "]"), UInt8(ascii: "#"):
            true
        default: false
        }
    }
}
