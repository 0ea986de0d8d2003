/// Tracks which keys and tables a document has defined, so that a second definition is an error.
///
/// TOML's rules (1.0, "Table" and "Keys"): a table is defined once, either by a `[header]` or by
/// dotted keys; a header may name a table that so far exists only as the parent of another header;
/// dotted keys may extend only tables that dotted keys created.
struct TOMLTableTree {
    private enum Definition {
        /// Exists only because a deeper `[a.b]` header passed through it; a later `[a]` may still define it.
        case implicit
        case header
        case dottedKey
    }

    private struct Table {
        var definition: Definition
        var line: Int
        var children: [String: Node] = [:]
    }

    private indirect enum Node {
        case value(line: Int)
        case table(Table)
    }

    private var root = Table(definition: .header, line: 0)

    mutating func defineTable(_ path: [String], line: Int) throws(TOMLSyntaxError) {
        try Self.defineTable(path[...], in: &root, fullPath: path, line: line)
    }

    /// Records `key = value` written under the table `tablePath`.
    mutating func assign(_ key: [String], inTable tablePath: [String], line: Int) throws(TOMLSyntaxError) {
        try Self.assign(key[...], under: tablePath[...], in: &root, fullPath: tablePath + key, line: line)
    }

    private static func defineTable(
        _ path: ArraySlice<String>,
        in table: inout Table,
        fullPath: [String],
        line: Int
    ) throws(TOMLSyntaxError) {
        guard let first = path.first else { return }
        let isLast = path.count == 1
        let walked = Array(fullPath[..<(fullPath.count - path.count + 1)])
        switch table.children[first] {
        case nil:
            var child = Table(definition: isLast ? .header : .implicit, line: line)
            try defineTable(path.dropFirst(), in: &child, fullPath: fullPath, line: line)
            table.children[first] = .table(child)
        case .value(let valueLine):
            throw TOMLSyntaxError(
                line: line,
                "cannot define table [\(TOMLDocument.display(fullPath))]: \"\(TOMLDocument.display(walked))\" "
                    + "is already a value (line \(valueLine))"
            )
        case .table(var child):
            if isLast {
                switch child.definition {
                case .implicit:
                    child.definition = .header
                    child.line = line
                case .header:
                    throw TOMLSyntaxError(
                        line: line,
                        "duplicate table [\(TOMLDocument.display(fullPath))] (first defined on line \(child.line))"
                    )
                case .dottedKey:
                    throw TOMLSyntaxError(
                        line: line,
                        "duplicate table [\(TOMLDocument.display(fullPath))] (already defined by dotted keys "
                            + "on line \(child.line))"
                    )
                }
            }
            try defineTable(path.dropFirst(), in: &child, fullPath: fullPath, line: line)
            table.children[first] = .table(child)
        }
    }

    private static func assign(
        _ key: ArraySlice<String>,
        under tablePath: ArraySlice<String>,
        in table: inout Table,
        fullPath: [String],
        line: Int
    ) throws(TOMLSyntaxError) {
        // First walk down to the table the key was written in; its header created it already.
        if let first = tablePath.first {
            guard case .table(var child) = table.children[first] else { return }
            try assign(key, under: tablePath.dropFirst(), in: &child, fullPath: fullPath, line: line)
            table.children[first] = .table(child)
            return
        }
        guard let first = key.first else { return }
        let walked = Array(fullPath[..<(fullPath.count - key.count + 1)])
        let isLast = key.count == 1
        switch table.children[first] {
        case nil:
            if isLast {
                table.children[first] = .value(line: line)
            } else {
                var child = Table(definition: .dottedKey, line: line)
                try assign(key.dropFirst(), under: [], in: &child, fullPath: fullPath, line: line)
                table.children[first] = .table(child)
            }
        case .value(let valueLine):
            throw TOMLSyntaxError(
                line: line,
                "duplicate key \"\(TOMLDocument.display(walked))\" (first defined on line \(valueLine))"
            )
        case .table(var child):
            guard !isLast else {
                throw TOMLSyntaxError(
                    line: line,
                    "duplicate key \"\(TOMLDocument.display(walked))\" (already a table, defined on line \(child.line))"
                )
            }
            guard child.definition == .dottedKey else {
                throw TOMLSyntaxError(
                    line: line,
                    "table [\(TOMLDocument.display(walked))] was defined on line \(child.line) "
                        + "and cannot be extended with dotted keys"
                )
            }
            try assign(key.dropFirst(), under: [], in: &child, fullPath: fullPath, line: line)
            table.children[first] = .table(child)
        }
    }
}
