import NIOCore
import NIOHTTP1
import NIOPosix

/// A one-shot HTTP GET against the admin API, for `starling ctl`.
public enum AdminClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Largest answer accepted, so a wrong port cannot make `ctl` buffer without end.
    static let maximumResponseBytes = 16 * 1024 * 1024

    public static func get(
        host: String,
        port: Int,
        path: String,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> (status: HTTPResponseStatus, body: String) {
        try await request(.GET, host: host, port: port, path: path, timeout: timeout)
    }

    public static func request(
        _ method: HTTPMethod,
        host: String,
        port: Int,
        path: String,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> (status: HTTPResponseStatus, body: String) {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: (HTTPResponseStatus, String).self)
        let connecting = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: host, port: port)
        let channel: any Channel
        do {
            channel = try await connecting.get()
        } catch {
            promise.fail(error)  // nobody will read it, but a promise must be completed
            throw error
        }
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "\(host):\(port)")
        headers.add(name: "accept", value: "application/json")
        if method == .POST { headers.add(name: "content-length", value: "0") }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(Failure(description: "no answer from \(host):\(port) within \(timeout)"))
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        let (status, body) = try await promise.futureResult.get()
        return (status, body)
    }

    private final class ResponseCollector: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart

        private let promise: EventLoopPromise<(HTTPResponseStatus, String)>
        private var status: HTTPResponseStatus = .ok
        private var body = ByteBuffer()

        init(promise: EventLoopPromise<(HTTPResponseStatus, String)>) {
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = head.status
            case .body(var part):
                guard body.readableBytes + part.readableBytes <= AdminClient.maximumResponseBytes else {
                    promise.fail(Failure(description: "answer larger than \(AdminClient.maximumResponseBytes) bytes"))
                    context.close(promise: nil)
                    return
                }
                body.writeBuffer(&part)
            case .end:
                promise.succeed((status, String(buffer: body)))
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(Failure(description: "connection closed before the answer was complete"))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }
    }
}
