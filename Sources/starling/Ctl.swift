import Admin
import ArgumentParser
import Foundation
import NIOHTTP1

/// `starling ctl`: asks a running node through its admin API.
struct Ctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and operate a running node through its admin API.",
        subcommands: [Members.self, Client.self, Drain.self]
    )

    /// Where the node's admin API listens.
    struct AdminOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The node's admin API (admin.listen).", valueName: "host:port"))
        var admin = "127.0.0.1:18083"

        /// GETs `path` and returns the body of a 200 answer; anything else is an error for the user.
        func get(_ path: String) async throws -> Data {
            try await request(.GET, path, expecting: .ok)
        }

        func request(_ method: HTTPMethod, _ path: String, expecting expected: HTTPResponseStatus) async throws -> Data
        {
            guard let separator = admin.lastIndex(of: ":"), let port = Int(admin[admin.index(after: separator)...])
            else {
                throw ValidationError("--admin expects HOST:PORT, got \"\(admin)\"")
            }
            let host = String(admin[..<separator]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            do {
                let answer = try await AdminClient.request(method, host: host, port: port, path: path)
                guard answer.status == expected else {
                    let status = "\(answer.status.code) \(answer.status.reasonPhrase)"
                    let body = answer.body.trimmingCharacters(in: .newlines)
                    throw CtlFailure(message: "\(admin)\(path): \(status): \(body)")
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

extension Ctl {
    /// `starling ctl client CLIENTID`: where a client's session is, and its state.
    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which node holds a client's session, and the session's state."
        )

        @OptionGroup var options: AdminOptions

        @Argument(help: "The client identifier.")
        var clientID: String

        @Flag(help: "Print the JSON as the API gives it.")
        var json = false

        struct View: Decodable {
            var clientid: String
            var node: String
            var connected: Bool
            var protocolVersion: String
            var subscriptions: [String]
            var inflight: Int
            var queued: Int
            var sessionExpiryInterval: UInt32
            var will: Bool
        }

        func validate() throws {
            guard !clientID.isEmpty else { throw ValidationError("CLIENTID must not be empty") }
        }

        func run() async throws {
            let escaped = clientID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? clientID
            let data = try await options.get("/api/v1/clients/\(escaped)")
            if json {
                print(String(decoding: data, as: UTF8.self), terminator: "")
                return
            }
            let view = try JSONDecoder().decode(View.self, from: data)
            let rows: [[String]] = [
                ["client", view.clientid],
                ["node", view.node],
                ["connected", view.connected ? "yes" : "no"],
                ["protocol", view.protocolVersion],
                ["subscriptions", view.subscriptions.isEmpty ? "-" : view.subscriptions.joined(separator: ", ")],
                ["inflight", String(view.inflight)],
                ["queued", String(view.queued)],
                ["session expiry", "\(view.sessionExpiryInterval) s"],
                ["will", view.will ? "yes" : "no"],
            ]
            print(TextTable.render(header: ["FIELD", "VALUE"], rows: rows))
        }
    }

    /// `starling ctl drain`: moves the node's sessions to other members, then the node leaves and exits.
    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drain the node: stop new connections, move its sessions to other members, leave, exit."
        )

        @OptionGroup var options: AdminOptions

        func run() async throws {
            _ = try await options.request(.POST, "/api/v1/drain", expecting: .accepted)
            print("draining \(options.admin): sessions move to other members, then the node leaves and exits")
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
