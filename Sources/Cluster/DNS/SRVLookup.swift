import NIOCore
import NIOPosix

/// Asks a nameserver for a name's SRV records over UDP and returns where the service listens.
///
/// One query goes to the first nameserver; if it is not answered within `timeout` (or the answer is an
/// error), one more goes to the second nameserver, or to the first again when there is only one. A
/// truncated answer (TC) is used as it came; there is no retry over TCP (see ``DNSMessage``). Answers
/// from another address than the nameserver asked, or with another id, are ignored.
struct SRVLookup: Sendable {
    /// Where the nameservers come from.
    enum Nameservers: Sendable {
        /// The `nameserver` lines of a resolv.conf, read on the thread pool at each lookup.
        case resolvConf(path: String)
        /// Fixed addresses (tests, or a cluster with its own DNS).
        case fixed([SocketAddress])
    }

    var nameservers: Nameservers
    var timeout: TimeAmount

    static let port = 53

    init(nameservers: Nameservers = .resolvConf(path: ResolvConf.defaultPath), timeout: TimeAmount = .seconds(2)) {
        self.nameservers = nameservers
        self.timeout = timeout
    }

    /// The endpoints of `name`'s SRV records (see ``DNSMessage/Response/endpoints``); empty when the name
    /// has none or does not exist.
    func lookup(_ name: String, on eventLoop: any EventLoop) -> EventLoopFuture<[DNSMessage.Endpoint]> {
        let first: [UInt8]
        let second: [UInt8]
        let ids = (UInt16.random(in: .min ... .max), UInt16.random(in: .min ... .max))
        do {
            first = try DNSMessage.query(id: ids.0, name: name)
            second = try DNSMessage.query(id: ids.1, name: name)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return servers(on: eventLoop).flatMap { servers -> EventLoopFuture<DNSMessage.Response> in
            guard let primary = servers.first else {
                return eventLoop.makeFailedFuture(SRVLookupError.noNameserver)
            }
            let secondary = servers.count > 1 ? servers[1] : primary
            return self.ask(primary, first, id: ids.0, on: eventLoop).flatMapError { _ in
                self.ask(secondary, second, id: ids.1, on: eventLoop)
            }
        }.map { response in response.endpoints }
    }

    private func servers(on eventLoop: any EventLoop) -> EventLoopFuture<[SocketAddress]> {
        switch nameservers {
        case .fixed(let addresses):
            return eventLoop.makeSucceededFuture(addresses)
        case .resolvConf(let path):
            return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
                ResolvConf.nameservers(path: path).compactMap { try? SocketAddress(ipAddress: $0, port: Self.port) }
            }
        }
    }

    /// One query to one server, answered or failed within `timeout`.
    private func ask(
        _ server: SocketAddress,
        _ query: [UInt8],
        id: UInt16,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<DNSMessage.Response> {
        let promise = eventLoop.makePromise(of: DNSMessage.Response.self)
        let timeout = self.timeout
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(SRVLookupError.timedOut(server: server, after: timeout))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        let bindHost = server.protocol == .inet6 ? "::" : "0.0.0.0"
        DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SRVResponseHandler(server: server, id: id, promise: promise)
                    )
                }
            }
            .bind(host: bindHost, port: 0)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                    let envelope = AddressedEnvelope(
                        remoteAddress: server,
                        data: channel.allocator.buffer(bytes: query)
                    )
                    channel.writeAndFlush(envelope).whenFailure { promise.fail($0) }
                case .failure(let error):
                    promise.fail(error)
                }
            }
        return promise.futureResult
    }
}

/// Why a lookup got no answer at all.
struct SRVLookupError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case noNameserver
        case timedOut(server: String, after: TimeAmount)
    }

    private let kind: Kind

    /// No usable nameserver address was configured.
    static let noNameserver = SRVLookupError(kind: .noNameserver)

    static func timedOut(server: SocketAddress, after timeout: TimeAmount) -> SRVLookupError {
        SRVLookupError(kind: .timedOut(server: "\(server)", after: timeout))
    }

    var description: String {
        switch kind {
        case .noNameserver: "no nameserver to ask"
        case .timedOut(let server, let after): "no answer from \(server) within \(after)"
        }
    }
}

/// Completes the lookup's promise with the first answer from `server` that carries `id`.
private final class SRVResponseHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let server: SocketAddress
    private let id: UInt16
    private let promise: EventLoopPromise<DNSMessage.Response>

    init(server: SocketAddress, id: UInt16, promise: EventLoopPromise<DNSMessage.Response>) {
        self.server = server
        self.id = id
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        guard envelope.remoteAddress == server else { return }
        do {
            promise.succeed(try DNSMessage.parseResponse(Array(envelope.data.readableBytesView), expectedID: id))
        } catch .unexpectedID {
            // A late answer to an earlier query, or a forgery: keep waiting for ours.
        } catch {
            promise.fail(error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
    }
}
