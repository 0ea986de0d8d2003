import StarlingConfiguration
import Testing

@Suite struct TOMLParserTests {
    private func parse(_ text: String) throws -> TOMLDocument {
        try TOMLDocument(parsing: text)
    }

    private func kind(_ text: String, at path: [String]) throws -> TOMLValue.Kind? {
        try parse(text).value(at: path)?.kind
    }

    @Test func document_readsTablesKeysAndComments_whenWellFormed() throws {
        let document = try parse(
            """
            # leading comment
            top = 1

            [log]   # trailing comment
            level = "debug"
            [listeners.tcp]
            bind = "[::]:1883"
            """
        )
        #expect(
            document.statements == [
                .keyValue(path: ["top"], value: TOMLValue(.integer(1), line: 2)),
                .table(path: ["log"], line: 4),
                .keyValue(path: ["log", "level"], value: TOMLValue(.string("debug"), line: 5)),
                .table(path: ["listeners", "tcp"], line: 6),
                .keyValue(path: ["listeners", "tcp", "bind"], value: TOMLValue(.string("[::]:1883"), line: 7)),
            ]
        )
    }

    @Test func keys_joinParts_whenDottedOrQuoted() throws {
        let document = try parse(
            """
            [listeners]
            tcp . bind = "a"
            "quoted.key" = 1
            'literal key' = 2
            """
        )
        #expect(document.value(at: ["listeners", "tcp", "bind"])?.kind == .string("a"))
        #expect(document.value(at: ["listeners", "quoted.key"])?.kind == .integer(1))
        #expect(document.value(at: ["listeners", "literal key"])?.kind == .integer(2))
    }

    @Test func basicString_decodesEscapes_whenValid() throws {
        let text = #"s = "tab\there \"q\" back\\slash \n \b\f\r \u00e9 \U0001F600""#
        #expect(try kind(text, at: ["s"]) == .string("tab\there \"q\" back\\slash \n \u{08}\u{0C}\r é 😀"))
    }

    @Test func literalString_keepsBackslashes_whenGiven() throws {
        #expect(try kind(#"s = 'C:\data\n'"#, at: ["s"]) == .string(#"C:\data\n"#))
    }

    @Test(arguments: [
        ("1_000", 1000), ("+5", 5), ("-7", -7), ("0", 0), ("0x1F", 31), ("0o17", 15), ("0b101", 5),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ])
    func integer_parses_whenWrittenInTOMLForms(text: String, expected: Int) throws {
        #expect(try kind("n = \(text)", at: ["n"]) == .integer(expected))
    }

    @Test(arguments: [
        ("3.14", 3.14), ("-0.5", -0.5), ("1e3", 1000), ("6.02E+23", 6.02e23), ("1_000.5", 1000.5), ("2e-2", 0.02),
        ("inf", .infinity), ("-inf", -.infinity),
    ])
    func float_parses_whenWrittenInTOMLForms(text: String, expected: Double) throws {
        #expect(try kind("n = \(text)", at: ["n"]) == .float(expected))
    }

    @Test func float_parsesNaN_whenWrittenNan() throws {
        guard case .float(let value) = try kind("n = nan", at: ["n"]) else {
            Issue.record("nan did not parse as a float")
            return
        }
        #expect(value.isNaN)
    }

    @Test func boolean_parses_whenTrueOrFalse() throws {
        let document = try parse("a = true\nb = false")
        #expect(document.value(at: ["a"])?.kind == .boolean(true))
        #expect(document.value(at: ["b"])?.kind == .boolean(false))
    }

    @Test func array_keepsEachElementsLine_whenSpreadOverLines() throws {
        let value = try parse(
            """
            list = [
              1,   # one
              "two",

              [3], # nested
            ]
            after = true
            """
        ).value(at: ["list"])
        #expect(
            value
                == TOMLValue(
                    .array([
                        TOMLValue(.integer(1), line: 2), TOMLValue(.string("two"), line: 3),
                        TOMLValue(.array([TOMLValue(.integer(3), line: 5)]), line: 5),
                    ]),
                    line: 1
                )
        )
    }

    @Test func array_isEmpty_whenWrittenAsBrackets() throws {
        #expect(try kind("a = [ ]", at: ["a"]) == .array([]))
    }

    @Test func lines_countCRLF_whenWindowsLineEnds() throws {
        #expect(try parse("a = 1\r\n\r\nb = 2\r\n").value(at: ["b"])?.line == 3)
    }

    @Test func byteOrderMark_isSkipped_whenAtStart() throws {
        #expect(try kind("\u{FEFF}a = 1", at: ["a"]) == .integer(1))
    }

    @Test func superTable_mayBeDefined_afterItsSubTable() throws {
        let document = try parse("[a.b]\nx = 1\n[a]\ny = 2")
        #expect(document.value(at: ["a", "y"])?.kind == .integer(2))
    }

    @Test func subTable_mayBeAdded_toTableOfDottedKeys() throws {
        let document = try parse("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true")
        #expect(document.value(at: ["fruit", "apple", "texture", "smooth"])?.kind == .boolean(true))
    }

    // MARK: Errors, each with the line it names

    @Test(arguments: [
        ("a = 1\nkey = ", 2, "expected a value, got the end of the line"),
        ("key value", 1, #"expected "=" after key "key", got "value""#),
        ("[log]\nlevel = info", 2, #"expected a value, got "info" (strings need quotes)"#),
        ("a = \"open", 1, #"unterminated string (missing closing ")"#),
        ("a = 'open", 1, "unterminated string (missing closing ')"),
        (#"a = "\q""#, 1, #"invalid escape sequence "\\q" in string"#),
        (#"a = "\u12""#, 1, #"expected 4 hexadecimal digits after \u"#),
        (#"a = "\uD800""#, 1, #"\u escape is not a Unicode scalar value"#),
        ("a = \"x\u{01}\"", 1, "control characters must be escaped in strings"),
        ("\n\na = \"\"\"x\"\"\"", 3, #"multi-line strings (""") are not supported"#),
        ("a = '''x'''", 1, "multi-line strings (''') are not supported"),
        ("a = { b = 1 }", 1, "inline tables ({…}) are not supported"),
        ("[[servers]]", 1, "arrays of tables ([[…]]) are not supported"),
        ("d = 1979-05-27", 1, "dates and times are not supported, got 1979-05-27"),
        ("t = 07:32:00", 1, "dates and times are not supported, got 07:32:00"),
        ("n = 012", 1, #"leading zeros are not allowed in integer "012""#),
        ("n = 1__0", 1, #"invalid integer "1__0""#),
        ("n = 1_", 1, #"invalid integer "1_""#),
        ("n = 0x_1", 1, #"invalid integer "0x_1""#),
        ("n = 1.", 1, #"invalid float "1.""#),
        ("n = 1e", 1, #"invalid float "1e""#),
        ("n = 9223372036854775808", 1, "integer 9223372036854775808 does not fit in 64 bits"),
        ("a = [\n1,\n2", 1, #"unterminated array (missing closing "]")"#),
        ("a = [1 2]", 1, #"expected "," or "]" in array, got "2]""#),
        ("a = 1 2", 1, #"expected the end of the line, got "2""#),
        ("[log\nlevel = 1", 1, #"expected "]" to close the table header, got the end of the line"#),
        ("= 1", 1, #"expected a key, got "= 1""#),
        ("a = 1\rb = 2", 1, "a carriage return must be followed by a line feed"),
        ("# bad \u{07} comment", 1, "control characters are not allowed in comments"),
    ])
    func document_reportsLineAndReason_whenMalformed(text: String, line: Int, message: String) {
        #expect(throws: TOMLSyntaxError(line: line, message)) { try TOMLDocument(parsing: text) }
    }

    @Test(arguments: [
        ("[log]\nlevel = 1\nlevel = 2", 3, #"duplicate key "log.level" (first defined on line 2)"#),
        ("a.b = 1\na.b = 2", 2, #"duplicate key "a.b" (first defined on line 1)"#),
        ("[mqtt]\n[log]\n[mqtt]", 3, "duplicate table [mqtt] (first defined on line 1)"),
        ("a = 1\n[a]", 2, #"cannot define table [a]: "a" is already a value (line 1)"#),
        ("a = 1\n[a.b]", 2, #"cannot define table [a.b]: "a" is already a value (line 1)"#),
        ("a.b = 1\n[a]", 2, "duplicate table [a] (already defined by dotted keys on line 1)"),
        ("[a.b]\n[a]\nb.c = 1", 3, "table [a.b] was defined on line 1 and cannot be extended with dotted keys"),
        ("[a.b]\n[a]\nb = 1", 3, #"duplicate key "a.b" (already a table, defined on line 1)"#),
        ("a = 1\na.b = 2", 2, #"duplicate key "a" (first defined on line 1)"#),
    ])
    func document_rejectsSecondDefinition_whenKeyOrTableRepeats(text: String, line: Int, message: String) {
        #expect(throws: TOMLSyntaxError(line: line, message)) { try TOMLDocument(parsing: text) }
    }
}
