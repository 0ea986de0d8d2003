import Foundation

extension StarlingConfiguration {
    /// Reads the configuration: defaults, then the file, then `STARLING_*` environment variables, then
    /// command-line overrides, each overriding the one before.
    ///
    /// - Parameters:
    ///   - file: the path given with `--config`; it must exist. When `nil`, `defaultFile` is read if it exists,
    ///     and otherwise the node runs on defaults alone.
    ///   - environment: usually `ProcessInfo.processInfo.environment`. Unknown `STARLING_*` variables only warn,
    ///     since other tools share the prefix.
    /// - Returns: the configuration, and warnings to log once logging is set up.
    public static func load(
        file: String?,
        environment: [String: String],
        overrides: [ConfigurationOverride] = [],
        defaultFile: String = "starling.toml"
    ) throws(ConfigurationError) -> (configuration: StarlingConfiguration, warnings: [String]) {
        var source: (path: String, contents: String)?
        if let file {
            source = (file, try readFile(file))
        } else if FileManager.default.fileExists(atPath: defaultFile) {
            source = (defaultFile, try readFile(defaultFile))
        }
        return try resolve(file: source, environment: environment, overrides: overrides)
    }

    /// `load(…)` without the file system: `file` is the file's name (for messages) and contents.
    public static func resolve(
        file: (path: String, contents: String)?,
        environment: [String: String],
        overrides: [ConfigurationOverride] = [],
        defaults: StarlingConfiguration = StarlingConfiguration()
    ) throws(ConfigurationError) -> (configuration: StarlingConfiguration, warnings: [String]) {
        var configuration = defaults
        var warnings: [String] = []
        if let file {
            let document: TOMLDocument
            do {
                document = try TOMLDocument(parsing: file.contents)
            } catch {
                throw .syntax(.file(path: file.path, line: error.line), error.message)
            }
            try apply(document, path: file.path, to: &configuration)
        }
        // Sorted, so that with several bad variables the same one is reported every time.
        for (variable, value) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("STARLING_") {
            guard let key = keysByEnvironmentVariable[variable] else {
                let suggestion = KeySuggestion.closest(to: variable, among: keys.map(\.environmentVariable))
                warnings.append(
                    "environment \(variable): unknown setting, ignored"
                        + (suggestion.map { " (did you mean \($0)?)" } ?? "")
                )
                continue
            }
            try read(
                .text(value),
                into: key,
                of: &configuration,
                from: .environment(variable: variable),
                namingKey: false
            )
        }
        for override in overrides {
            let origin = ConfigurationOrigin.commandLine(flag: override.flag)
            guard let key = keysByName[override.key] else {
                throw .unknownKey(origin, override.key, suggestion: suggestion(for: override.key))
            }
            try read(.text(override.value), into: key, of: &configuration, from: origin, namingKey: false)
        }
        return (configuration, warnings)
    }

    private static func apply(
        _ document: TOMLDocument,
        path: String,
        to configuration: inout StarlingConfiguration
    ) throws(ConfigurationError) {
        for statement in document.statements {
            switch statement {
            case .table(let tablePath, let line):
                let origin = ConfigurationOrigin.file(path: path, line: line)
                if sections.contains(tablePath) { continue }
                if let key = keyContaining(tablePath) {
                    throw .invalidValue(origin, key: key.name, expected: key.expectation, got: "a table")
                }
                let suggestion = KeySuggestion.closest(
                    to: TOMLDocument.display(tablePath),
                    among: sections.map(TOMLDocument.display).sorted()
                )
                throw .unknownTable(origin, TOMLDocument.display(tablePath), suggestion: suggestion)
            case .keyValue(let keyPath, let value):
                let origin = ConfigurationOrigin.file(path: path, line: value.line)
                if let key = keysByPath[keyPath] {
                    try read(.toml(value), into: key, of: &configuration, from: origin, namingKey: true)
                } else if sections.contains(keyPath) {
                    throw .notATable(origin, TOMLDocument.display(keyPath), got: value.description)
                } else if let key = keyContaining(keyPath) {
                    throw .invalidValue(origin, key: key.name, expected: key.expectation, got: "a table")
                } else {
                    let name = TOMLDocument.display(keyPath)
                    throw .unknownKey(origin, name, suggestion: suggestion(for: name))
                }
            }
        }
    }

    /// The key that `path` names or reaches inside of, as in `[mqtt.max_qos]`: the file made a table of a key.
    private static func keyContaining(_ path: [String]) -> ConfigurationKey? {
        keys.first { $0.path.count <= path.count && path.starts(with: $0.path) }
    }

    private static func read(
        _ input: SettingInput,
        into key: ConfigurationKey,
        of configuration: inout StarlingConfiguration,
        from origin: ConfigurationOrigin,
        namingKey: Bool
    ) throws(ConfigurationError) {
        do {
            try key.read(&configuration, input)
        } catch {
            throw .invalidValue(origin, key: namingKey ? key.name : nil, expected: error.expected, got: input.shown)
        }
    }

    /// The file's text; a file that is missing, unreadable or not UTF-8 is an error.
    private static func readFile(_ path: String) throws(ConfigurationError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path)
        }
        guard !isDirectory.boolValue else { throw .fileUnreadable(path, reason: "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .fileUnreadable(
                path,
                reason: FileManager.default.isReadableFile(atPath: path) ? "read failed" : "permission denied"
            )
        }
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where String(validating: line, as: UTF8.self) == nil {
            throw .syntax(.file(path: path, line: index + 1), "the file is not valid UTF-8")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
