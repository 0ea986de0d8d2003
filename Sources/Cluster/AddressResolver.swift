import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Turns `host:port` into socket addresses. IP literals are parsed in place; names are looked up on a
/// thread pool (the lookup blocks) and cached for `timeToLive`, so an event loop never waits on DNS.
final class AddressResolver: Sendable {
    private struct Entry {
        var addresses: [SocketAddress]
        var expires: NIODeadline
    }

    private let cache = NIOLockedValueBox([String: Entry]())
    private let timeToLive: TimeAmount
    /// Names cached at most; a hostile peer cannot make the cache grow without end.
    private static let maximumEntries = 4096

    init(timeToLive: TimeAmount) {
        self.timeToLive = timeToLive
    }

    /// The first address of `text`, from the cache or a lookup.
    func resolve(_ text: String, on eventLoop: any EventLoop) -> EventLoopFuture<SocketAddress> {
        if let literal = PeerAddress.literal(text) { return eventLoop.makeSucceededFuture(literal) }
        return resolveAll(text, on: eventLoop).flatMapThrowing { addresses in
            guard let first = addresses.first else { throw ResolutionError(name: text) }
            return first
        }
    }

    /// Every A/AAAA address of `text`'s host, with `text`'s port.
    func resolveAll(_ text: String, on eventLoop: any EventLoop) -> EventLoopFuture<[SocketAddress]> {
        if let literal = PeerAddress.literal(text) { return eventLoop.makeSucceededFuture([literal]) }
        let now = NIODeadline.now()
        if let entry = cache.withLockedValue({ $0[text] }), entry.expires > now {
            return eventLoop.makeSucceededFuture(entry.addresses)
        }
        guard let (host, port) = PeerAddress.split(text) else {
            return eventLoop.makeFailedFuture(ResolutionError(name: text))
        }
        let timeToLive = self.timeToLive
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try HostLookup.addresses(of: host, port: port)
        }.map { [cache] addresses in
            cache.withLockedValue { cache in
                if cache.count >= Self.maximumEntries { cache.removeAll() }
                cache[text] = Entry(addresses: addresses, expires: .now() + timeToLive)
            }
            return addresses
        }
    }

    struct ResolutionError: Error, CustomStringConvertible {
        let name: String
        var description: String { "cannot resolve \(name)" }
    }
}
