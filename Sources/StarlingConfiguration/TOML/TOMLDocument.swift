/// A parsed TOML document, kept as the statements in the order they were written.
///
/// We support the part of TOML 1.0 a configuration file needs: `[table]` headers, `key = value` with
/// bare, quoted and dotted keys, basic and literal strings, integers, floats, booleans and arrays
/// (also spread over several lines), and comments. Multi-line strings, inline tables, arrays of tables
/// and dates are rejected with an error naming the line, as are duplicate keys and tables.
package struct TOMLDocument: Sendable, Equatable {
    package enum Statement: Sendable, Equatable {
        /// A `[a.b]` header.
        case table(path: [String], line: Int)
        /// A `key = value`; `path` is the full path from the root (the enclosing table, then the key's parts).
        case keyValue(path: [String], value: TOMLValue)
    }

    package var statements: [Statement]

    package init(parsing text: String) throws(TOMLSyntaxError) {
        var parser = TOMLParser(text)
        self.statements = try parser.parseDocument()
    }

    /// The value assigned at `path`, if any.
    package func value(at path: [String]) -> TOMLValue? {
        for case .keyValue(path, let value) in statements { return value }
        return nil
    }

    /// A key path written the way TOML spells it: bare parts as they are, others quoted.
    package static func display(_ path: [String]) -> String {
        path.map { part in
            let isBare =
                !part.isEmpty
                && part.unicodeScalars.allSatisfy { $0.isASCII && TOMLParser.isBareKeyCharacter(UInt8($0.value)) }
            return isBare ? part : TOMLValue.quoted(part)
        }.joined(separator: ".")
    }
}
