import Admin
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@Suite("Admin API over a real socket")
struct AdminServerTests {
    private func withServer(_ body: (AdminServer) async throws -> Void) async throws {
        let server = try await AdminServer.bind(
            host: "127.0.0.1",
            port: 0,
            routes: [AdminRoute("/api/v1/cluster/members") { _ in AdminResponse(json: #"[{"name":"a"}]"#) }],
            group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "admin-test")
        )
        do {
            try await body(server)
        } catch {
            await server.close()
            throw error
        }
        await server.close()
    }

    @Test func get_answersJSON() async throws {
        try await withServer { server in
            let (status, body) = try await AdminClient.get(
                host: "127.0.0.1",
                port: server.port,
                path: "/api/v1/cluster/members"
            )
            #expect(status == .ok)
            #expect(body == "[{\"name\":\"a\"}]\n")
        }
    }

    @Test func unknownPath_answers404_withErrorMessage() async throws {
        try await withServer { server in
            let (status, body) = try await AdminClient.get(host: "127.0.0.1", port: server.port, path: "/x")
            #expect(status == .notFound)
            #expect(body.contains(#""error":"no endpoint at /x""#))
        }
    }

    @Test func garbage_getsBadRequest_andTheServerCarriesOn() async throws {
        try await withServer { server in
            let answer = try await RawSocket.exchange(port: server.port, bytes: Array("NOT HTTP AT ALL\r\n\r\n".utf8))
            #expect(answer.hasPrefix("HTTP/1.1 400"), "got \(answer)")
            let (status, _) = try await AdminClient.get(
                host: "127.0.0.1",
                port: server.port,
                path: "/api/v1/cluster/members"
            )
            #expect(status == .ok)
        }
    }
}

/// Sends bytes on a fresh connection and collects what comes back until the server closes.
enum RawSocket {
    static func exchange(port: Int, bytes: [UInt8]) async throws -> String {
        let collected = NIOLockedBox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(box: collected))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        let closed = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        closed.cancel()
        return collected.text
    }

    final class NIOLockedBox: @unchecked Sendable {
        private let lock = NIOLock()
        private var buffer = ""
        var text: String { lock.withLock { buffer } }
        func append(_ text: String) { lock.withLock { buffer += text } }
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: NIOLockedBox
        init(box: NIOLockedBox) { self.box = box }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            box.append(String(buffer: unwrapInboundIn(data)))
        }
    }
}
