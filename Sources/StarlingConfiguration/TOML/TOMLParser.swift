/// Reads a TOML document byte by byte, counting lines as it goes so every value and error knows its line.
///
/// The document level lives here (headers, keys, comments, line ends); values are in
/// `TOMLParser+Values.swift`.
struct TOMLParser {
    let bytes: [UInt8]
    var index = 0
    /// 1-based line of `bytes[index]`.
    var line = 1

    init(_ text: String) {
        var bytes = Array(text.utf8)
        // A byte order mark is not part of the document.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
    }

    mutating func parseDocument() throws(TOMLSyntaxError) -> [TOMLDocument.Statement] {
        var statements: [TOMLDocument.Statement] = []
        var tree = TOMLTableTree()
        var currentTable: [String] = []
        while true {
            skipSpaces()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try expectEndOfLine()
            case UInt8(ascii: "["):
                let headerLine = line
                if peek(offset: 1) == UInt8(ascii: "[") {
                    throw TOMLSyntaxError(line: line, "arrays of tables ([[…]]) are not supported")
                }
                index += 1
                skipSpaces()
                let path = try parseKey()
                skipSpaces()
                guard peek() == UInt8(ascii: "]") else {
                    throw TOMLSyntaxError(line: line, "expected \"]\" to close the table header, got \(restOfLine())")
                }
                index += 1
                try expectEndOfLine()
                try tree.defineTable(path, line: headerLine)
                currentTable = path
                statements.append(.table(path: path, line: headerLine))
            default:
                let keyLine = line
                let key = try parseKey()
                skipSpaces()
                guard peek() == UInt8(ascii: "=") else {
                    throw TOMLSyntaxError(
                        line: line,
                        "expected \"=\" after key \"\(TOMLDocument.display(key))\", got \(restOfLine())"
                    )
                }
                index += 1
                skipSpaces()
                let value = try parseValue()
                try expectEndOfLine()
                try tree.assign(key, inTable: currentTable, line: keyLine)
                statements.append(.keyValue(path: currentTable + key, value: value))
            }
        }
        return statements
    }

    // MARK: Keys

    /// A key: one or more simple keys (bare or quoted) joined by dots, with optional spaces around the dots.
    mutating func parseKey() throws(TOMLSyntaxError) -> [String] {
        var parts = [try parseSimpleKey()]
        while true {
            let resume = index
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else {
                index = resume
                return parts
            }
            index += 1
            skipSpaces()
            parts.append(try parseSimpleKey())
        }
    }

    private mutating func parseSimpleKey() throws(TOMLSyntaxError) -> String {
        switch peek() {
        case UInt8(ascii: "\""):
            if peek(offset: 1) == UInt8(ascii: "\""), peek(offset: 2) == UInt8(ascii: "\"") {
                throw TOMLSyntaxError(line: line, "a key cannot be a multi-line string")
            }
            return try parseBasicString()
        case UInt8(ascii: "'"):
            if peek(offset: 1) == UInt8(ascii: "'"), peek(offset: 2) == UInt8(ascii: "'") {
                throw TOMLSyntaxError(line: line, "a key cannot be a multi-line string")
            }
            return try parseLiteralString()
        default:
            let start = index
            while let byte = peek(), Self.isBareKeyCharacter(byte) { index += 1 }
            guard index > start else { throw TOMLSyntaxError(line: line, "expected a key, got \(restOfLine())") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }

    static func isBareKeyCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    // MARK: Whitespace, comments and line ends

    func peek(offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    /// Skips spaces, a comment if there is one, and the line break; anything else is an error.
    mutating func expectEndOfLine() throws(TOMLSyntaxError) {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        switch peek() {
        case nil: return
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): try consumeNewline()
        default: throw TOMLSyntaxError(line: line, "expected the end of the line, got \(restOfLine())")
        }
    }

    /// Skips from `#` to the end of the line, leaving the line break.
    mutating func skipComment() throws(TOMLSyntaxError) {
        while let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") {
            if Self.isForbiddenControl(byte) {
                throw TOMLSyntaxError(line: line, "control characters are not allowed in comments")
            }
            index += 1
        }
    }

    /// Consumes `\n` or `\r\n`; a carriage return on its own is not a line break in TOML.
    mutating func consumeNewline() throws(TOMLSyntaxError) {
        if peek() == UInt8(ascii: "\r") {
            guard peek(offset: 1) == UInt8(ascii: "\n") else {
                throw TOMLSyntaxError(line: line, "a carriage return must be followed by a line feed")
            }
            index += 1
        }
        index += 1
        line += 1
    }

    /// Control characters other than tab may not appear in comments or strings.
    static func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    /// The rest of the current line (shortened), quoted, for "got …" in messages.
    func restOfLine() -> String {
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
        guard end > index else { return "the end of the line" }
        var text = String(decoding: bytes[index..<end], as: UTF8.self)
        if text.count > 30 { text = String(text.prefix(30)) + "…" }
        return TOMLValue.quoted(text)
    }
}
