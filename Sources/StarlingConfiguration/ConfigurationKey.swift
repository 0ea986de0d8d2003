/// One configuration key: its name, how a value is read into the configuration, and how the current
/// value is written back as TOML. The list of keys is `StarlingConfiguration.keys`.
package struct ConfigurationKey: Sendable {
    /// `section.key`, e.g. `mqtt.max_packet_size`.
    package let name: String
    package let path: [String]
    /// `STARLING_` and the name upper-cased with dots as underscores: `STARLING_MQTT_MAX_PACKET_SIZE`.
    package let environmentVariable: String
    let read: @Sendable (inout StarlingConfiguration, SettingInput) throws(SettingMismatch) -> Void
    /// The key's value in a configuration, written as an environment variable would give it: `1MiB`, `1024`.
    package let render: @Sendable (StarlingConfiguration) -> String
    /// Whether TOML needs the rendered value in quotes (everything but integers and booleans).
    let isQuotedInTOML: Bool
    /// The value as TOML, for the keys whose TOML form is not the rendered text, quoted or not (arrays).
    let renderTOMLValue: (@Sendable (StarlingConfiguration) -> String)?

    init(
        _ name: String,
        read: @escaping @Sendable (inout StarlingConfiguration, SettingInput) throws(SettingMismatch) -> Void,
        render: @escaping @Sendable (StarlingConfiguration) -> String,
        quotedInTOML: Bool = true,
        renderTOML: (@Sendable (StarlingConfiguration) -> String)? = nil
    ) {
        self.name = name
        self.path = name.split(separator: ".").map(String.init)
        self.environmentVariable = "STARLING_" + String(name.uppercased().map { $0 == "." ? "_" : $0 })
        self.read = read
        self.render = render
        self.isQuotedInTOML = quotedInTOML
        self.renderTOMLValue = renderTOML
    }

    /// The key's value in a configuration as TOML: `"1MiB"`, `1024`, `true`.
    package func renderTOML(_ configuration: StarlingConfiguration) -> String {
        if let renderTOMLValue { return renderTOMLValue(configuration) }
        return isQuotedInTOML ? TOMLValue.quoted(render(configuration)) : render(configuration)
    }

    /// What the key expects, as in "expected …". Every reader rejects an empty array, so ask one.
    var expectation: String {
        var scratch = StarlingConfiguration(node: .init(name: "-"))
        do {
            try read(&scratch, .toml(TOMLValue(.array([]), line: 0)))
            return "a value"
        } catch {
            return error.expected
        }
    }
}

extension ConfigurationKey {
    typealias Path<Value> = any WritableKeyPath<StarlingConfiguration, Value> & Sendable

    static func integer(_ name: String, _ keyPath: Path<Int>, in range: ClosedRange<Int>) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.integer(in: range)
            },
            render: { String($0[keyPath: keyPath]) },
            quotedInTOML: false
        )
    }

    static func size(_ name: String, _ keyPath: Path<Int>, in range: ClosedRange<Int>) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.size(in: range)
            },
            render: { ByteSize.render($0[keyPath: keyPath]) }
        )
    }

    static func duration(
        _ name: String,
        _ keyPath: Path<Duration>,
        in range: ClosedRange<Duration>,
        wholeSeconds: Bool = false
    ) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.duration(in: range, wholeSeconds: wholeSeconds)
            },
            render: { DurationText.render($0[keyPath: keyPath]) }
        )
    }

    static func boolean(_ name: String, _ keyPath: Path<Bool>) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.boolean()
            },
            render: { String($0[keyPath: keyPath]) },
            quotedInTOML: false
        )
    }

    static func string(_ name: String, _ keyPath: Path<String>, allowingEmpty: Bool = false) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.string(allowingEmpty: allowingEmpty)
            },
            render: { $0[keyPath: keyPath] }
        )
    }

    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String,
        _ keyPath: Path<Choice>
    ) -> Self where Choice.RawValue == String {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.choice(of: Choice.self)
            },
            render: { $0[keyPath: keyPath].rawValue }
        )
    }

    static func hostPort(_ name: String, _ keyPath: Path<HostPort>) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.hostPort()
            },
            render: { $0[keyPath: keyPath].description }
        )
    }

    /// A `HOST:PORT` that may be absent, written as an empty string.
    static func optionalHostPort(_ name: String, _ keyPath: Path<HostPort?>) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                if (try? input.string(allowingEmpty: true)) == "" {
                    configuration[keyPath: keyPath] = nil
                    return
                }
                let hostPort = try input.hostPort()
                guard hostPort.port != 0 else { throw SettingMismatch(expected: "HOST:PORT with a port 1…65535") }
                configuration[keyPath: keyPath] = hostPort
            },
            render: { $0[keyPath: keyPath]?.description ?? "" }
        )
    }

    /// A list of `HOST:PORT`: a TOML array of strings, or in the environment and on the command line
    /// one string with commas between the entries.
    static func hostPortList(_ name: String, _ keyPath: Path<[HostPort]>) -> Self {
        Self(
            name,
            read: { configuration, input throws(SettingMismatch) in
                configuration[keyPath: keyPath] = try input.hostPortList()
            },
            render: { $0[keyPath: keyPath].map(\.description).joined(separator: ",") },
            renderTOML: { configuration in
                "[" + configuration[keyPath: keyPath].map { TOMLValue.quoted($0.description) }.joined(separator: ", ")
                    + "]"
            }
        )
    }
}
