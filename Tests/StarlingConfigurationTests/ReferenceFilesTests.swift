import Foundation
import StarlingConfiguration
import Testing

/// `starling.example.toml` and `docs/configuration.md` must match the code, so they cannot drift.
@Suite struct ReferenceFilesTests {
    /// The repository root: this file is `Tests/StarlingConfigurationTests/ReferenceFilesTests.swift`.
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private static func read(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    @Test func exampleFile_parsesToExactlyTheDefaults() throws {
        let text = try Self.read("starling.example.toml")
        let (configuration, warnings) = try StarlingConfiguration.resolve(
            file: ("starling.example.toml", text),
            environment: [:],
            defaults: testDefaults
        )
        #expect(configuration == testDefaults)
        #expect(warnings.isEmpty)
    }

    @Test func exampleFile_setsEveryKey_exceptHostDependentNodeName() throws {
        let document = try TOMLDocument(parsing: try Self.read("starling.example.toml"))
        for key in StarlingConfiguration.keys where key.name != "node.name" {
            #expect(document.value(at: key.path) != nil, "starling.example.toml does not set \(key.name)")
        }
        #expect(document.value(at: ["node", "name"]) == nil, "node.name defaults to the host name; leave it commented")
    }

    /// Every key has a row `| `key` | type | default | range | `ENV` | flag |` showing its default as TOML.
    @Test func referenceDoc_listsEveryKeyWithDefaultAndEnvironmentVariable() throws {
        let rows = try Self.read("docs/configuration.md").split(separator: "\n").filter { $0.hasPrefix("| `") }
        let defaults = StarlingConfiguration()
        for key in StarlingConfiguration.keys {
            let row = rows.first { $0.hasPrefix("| `\(key.name)` |") }
            guard let row else {
                Issue.record("docs/configuration.md has no row for \(key.name)")
                continue
            }
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count == 6, "row for \(key.name) should have 6 cells")
            guard cells.count == 6 else { continue }
            if key.name != "node.name" {
                #expect(cells[2] == "`\(key.renderTOML(defaults))`", "default of \(key.name)")
            }
            #expect(cells[4] == "`\(key.environmentVariable)`", "environment variable of \(key.name)")
        }
    }

    @Test func referenceDoc_namesTheFlagOfEachFlaggedKey() throws {
        let rows = try Self.read("docs/configuration.md").split(separator: "\n")
        let flags = [
            ("listeners.tcp.bind", "--listen"), ("node.name", "--node-name"), ("node.data_dir", "--data-dir"),
            ("log.level", "--log-level"), ("cluster.listen", "--cluster-listen"), ("cluster.advertise", "--advertise"),
            ("cluster.seeds", "--seed"), ("cluster.secret", "--cluster-secret"),
            ("cluster.discovery_dns", "--discovery-dns"), ("admin.listen", "--admin-listen"),
        ]
        for (key, flag) in flags {
            let row = rows.first { $0.hasPrefix("| `\(key)` |") }
            #expect(row?.hasSuffix("| `\(flag)` |") == true, "flag of \(key)")
        }
    }
}
