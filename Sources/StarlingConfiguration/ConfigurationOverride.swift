/// One setting given on the command line; overrides the file and the environment.
public struct ConfigurationOverride: Sendable, Equatable {
    /// The configuration key, e.g. `listeners.tcp.bind`.
    public var key: String
    /// The value as typed; it is read the same way as an environment variable's.
    public var value: String
    /// How the user gave it, for error messages: `--listen`, `--set mqtt.max_qos`.
    public var flag: String

    public init(key: String, value: String, flag: String) {
        self.key = key
        self.value = value
        self.flag = flag
    }
}
