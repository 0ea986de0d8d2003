import StarlingConfiguration

/// Defaults with a fixed node name, so results do not depend on the host the tests run on.
let testDefaults = StarlingConfiguration(node: .init(name: "test-node"))

/// Reads `toml` as if it were `starling.toml`, then `environment` and `overrides`, over `testDefaults`.
func resolve(
    _ toml: String?,
    environment: [String: String] = [:],
    overrides: [ConfigurationOverride] = []
) throws(ConfigurationError) -> StarlingConfiguration {
    try StarlingConfiguration.resolve(
        file: toml.map { ("starling.toml", $0) },
        environment: environment,
        overrides: overrides,
        defaults: testDefaults
    ).configuration
}

/// The message of the `ConfigurationError` that `body` throws, or `nil` if it throws none.
func configurationErrorMessage(_ body: () throws(ConfigurationError) -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return error.description
    }
}
