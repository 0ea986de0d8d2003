/// Why a TOML document could not be read, and on which line.
package struct TOMLSyntaxError: Error, Sendable, Equatable {
    /// 1-based line of the offending text.
    package var line: Int
    /// What is wrong, without the line number (the caller prefixes its own location).
    package var message: String

    package init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }
}
