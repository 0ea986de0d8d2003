import ArgumentParser
import StarlingConfiguration

/// `starling`: the broker's command line. With no subcommand it serves, so `starling` alone runs a node.
@main
struct Starling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling",
        abstract: "Starling, a clustered MQTT broker.",
        version: starlingVersion,
        subcommands: [Serve.self, Ctl.self, Bench.self],
        defaultSubcommand: Serve.self
    )
}
