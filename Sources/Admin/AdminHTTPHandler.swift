import NIOCore
import NIOHTTP1

/// Serves one admin request per connection: reads the head, skips a body up to a cap, answers
/// with JSON and closes. Slow or idle peers are closed by the `IdleStateHandler` before it.
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The API takes no bodies; a client that streams a large one is cut off.
    static let maximumBodyBytes = 64 * 1024

    private let router: AdminRouter
    private var request: (method: HTTPMethod, target: String, version: HTTPVersion)?
    private var bodyBytes = 0
    private var answered = false

    init(router: AdminRouter) {
        self.router = router
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = (head.method, head.uri, head.version)
        case .body(let body):
            bodyBytes += body.readableBytes
            if bodyBytes > Self.maximumBodyBytes, !answered {
                respond(.error(.payloadTooLarge, "the admin API takes no request body"), context: context)
            }
        case .end:
            guard let request, !answered else { return }
            switch router.decide(method: request.method, target: request.target) {
            case .answer(let response):
                respond(response, context: context)
            case .route(let route, let parameters):
                answered = true
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let promise = context.eventLoop.makePromise(of: AdminResponse.self)
                promise.completeWithTask { await route.handler(parameters) }
                promise.futureResult.whenSuccess { response in
                    let (handler, context) = loopBound.value
                    handler.write(response, context: context)
                }
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Malformed HTTP has been answered with 400 by NIO's error handler; anything else ends the connection.
        context.close(promise: nil)
    }

    private func respond(_ response: AdminResponse, context: ChannelHandlerContext) {
        answered = true
        write(response, context: context)
    }

    private func write(_ response: AdminResponse, context: ChannelHandlerContext) {
        var body = context.channel.allocator.buffer(capacity: response.json.utf8.count + 1)
        body.writeString(response.json)
        body.writeString("\n")
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        let version = request?.version ?? .http1_1
        let isHead = request?.method == .HEAD
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))),
            promise: nil
        )
        if !isHead { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
