import Admin
import ArgumentParser
import Foundation
import NIOHTTP1

/// `starling ctl`: asks a running node through its admin API.
struct Ctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and operate a running node through its admin API.",
        subcommands: [Members.self]
    )

    /// Where the node's admin API listens.
    struct AdminOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The node's admin API (admin.listen).", valueName: "host:port"))
        var admin = "127.0.0.1:18083"

        /// GETs `path` and returns the body of a 200 answer; anything else is an error for the user.
        func get(_ path: String) async throws -> Data {
            guard let separator = admin.lastIndex(of: ":"), let port = Int(admin[admin.index(after: separator)...])
            else {
                throw ValidationError("--admin expects HOST:PORT, got \"\(admin)\"")
            }
            let host = String(admin[..<separator]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let status: String
            let body: String
            do {
                let answer = try await AdminClient.get(host: host, port: port, path: path)
                guard answer.status == .ok else {
                    status = "\(answer.status.code) \(answer.status.reasonPhrase)"
                    body = answer.body
                    throw CtlFailure(message: "\(admin)\(path): \(status): \(body.trimmingCharacters(in: .newlines))")
                }
                return Data(answer.body.utf8)
            } catch let failure as CtlFailure {
                throw failure
            } catch {
                throw CtlFailure(message: "cannot reach the admin API at \(admin): \(error)")
            }
        }
    }

    struct CtlFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// `starling ctl members`: the cluster as the node sees it.
    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the cluster's members and their states.")

        @OptionGroup var options: AdminOptions

        @Flag(help: "Print the JSON as the API gives it.")
        var json = false

        struct Member: Decodable {
            var name: String
            var address: String
            var state: String
            var incarnation: UInt64
            var bootId: String
        }

        func run() async throws {
            let data = try await options.get("/api/v1/cluster/members")
            if json {
                print(String(decoding: data, as: UTF8.self), terminator: "")
                return
            }
            let members = try JSONDecoder().decode([Member].self, from: data)
            let rows = members.map { [$0.name, $0.address, $0.state, String($0.incarnation), $0.bootId] }
            print(TextTable.render(header: ["NAME", "ADDRESS", "STATE", "INCARNATION", "BOOT ID"], rows: rows))
        }
    }
}

/// Columns padded to their widest cell.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
