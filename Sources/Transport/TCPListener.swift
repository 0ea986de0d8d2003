import Broker
import CSocketPoll
import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Accepts MQTT over plain TCP and keeps track of its connections so a shutdown can say
/// goodbye to each client.
///
/// The listening socket is watched by the ``ParkingLot``, which accepts: a new connection starts
/// parked, on the next shard's loop, and gets a channel only once it is busy.
public final class TCPListener: Sendable {
    public let localAddress: SocketAddress
    private let acceptor: NIOLockedValueBox<Acceptor?>
    private let lot: ParkingLot
    private let context: ListenerContext

    private init(localAddress: SocketAddress, acceptor: Acceptor, lot: ParkingLot, context: ListenerContext) {
        self.localAddress = localAddress
        self.acceptor = NIOLockedValueBox(acceptor)
        self.lot = lot
        self.context = context
    }

    /// Binds `host:port` (port 0 picks a free port) and serves `broker` on it. A connection
    /// quiet for `parkAfter` gives up its channel until it has traffic again.
    public static func bind(
        host: String,
        port: Int,
        broker: Broker,
        logger: Logger,
        parkAfter: TimeAmount = .seconds(1)
    ) async throws -> TCPListener {
        let requested = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let fd = try ListeningSocket.open(requested)
        let lot: ParkingLot
        do {
            lot = try ParkingLot()
        } catch {
            Glibc.close(fd)
            throw error
        }
        let context = ListenerContext(
            broker: broker,
            logger: logger,
            parkingLot: lot,
            parkAfter: parkAfter,
            connections: ConnectionSet()
        )
        let acceptor = Acceptor(socket: fd, context: context)
        do {
            try lot.add(fd, for: acceptor, oneShot: false)
        } catch {
            lot.stop()
            throw error
        }
        let bound = try SocketAddress.makeAddressResolvingHost(host, port: ListeningSocket.port(of: fd))
        return TCPListener(localAddress: bound, acceptor: acceptor, lot: lot, context: context)
    }

    /// Closes the listener and every connection at once, without a word to the clients.
    public func abort() async {
        stopAcceptingNow()
        for connection in context.connections.all {
            connection.eventLoop.execute { connection.closeTransport() }
        }
        await waitUntilClosed(deadline: .now() + .seconds(2))
        lot.stop()
    }

    /// Stops accepting new connections; the open ones stay.
    public func stopAccepting() async {
        stopAcceptingNow()
    }

    private func stopAcceptingNow() {
        guard
            let acceptor = acceptor.withLockedValue({ value in
                defer { value = nil }; return value
            })
        else { return }
        acceptor.stop(lot: lot)
    }

    /// How many client connections are open.
    public var connectionCount: Int { context.connections.count }

    /// How many of them wait in the parking lot rather than in a channel.
    public var parkedConnectionCount: Int {
        lot.count - (acceptor.withLockedValue { $0 } == nil ? 0 : 1)
    }

    /// Moves between the parking lot and channels so far.
    public var parkingCounters: ParkingCounters.Values { context.counters.current }

    /// Stops accepting, tells every client the server is shutting down (DISCONNECT 0x8B for
    /// 5.0 clients), and waits up to `gracePeriod` for the connections to close.
    public func shutdown(gracePeriod: TimeAmount = .seconds(5)) async {
        stopAcceptingNow()
        for connection in context.connections.all {
            connection.eventLoop.execute { connection.serverShuttingDown() }
        }
        await waitUntilClosed(deadline: .now() + gracePeriod)
        for connection in context.connections.all {
            connection.eventLoop.execute { connection.closeTransport() }
        }
        await waitUntilClosed(deadline: .now() + .seconds(1))
        lot.stop()
    }

    private func waitUntilClosed(deadline: NIODeadline) async {
        while context.connections.count > 0, NIODeadline.now() < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The listening socket, in the parking lot: accepts on the lot's thread and starts each new
/// connection parked on the next shard's loop. `@unchecked Sendable`: `nextShard` is the lot
/// thread's alone; `stopped` is locked.
private final class Acceptor: ParkingLot.Entry, @unchecked Sendable {
    private let socket: Int32
    private let context: ListenerContext
    private let stopped = NIOLockedValueBox(false)
    /// The shard the next connection goes to. Only the lot's thread, which accepts, touches it.
    private var nextShard = 0

    /// Connections accepted per readiness event, so that parked sockets are not kept waiting.
    private static let acceptBatch = 64

    init(socket: Int32, context: ListenerContext) {
        self.socket = socket
        self.context = context
    }

    deinit {
        // The last reference is the lot's, dropped on its thread after its batch: no accept runs now.
        Glibc.close(socket)
    }

    func stop(lot: ParkingLot) {
        stopped.withLockedValue { $0 = true }
        lot.remove(socket, for: self)
        // No new connections from here on; the descriptor is closed when the lot lets go of it.
        Glibc.shutdown(socket, Int32(SHUT_RDWR))
    }

    /// Out of descriptors: stop watching the listening socket for a moment instead of spinning on it.
    private func pauseAccepting() {
        guard let lot = context.parkingLot else { return }
        lot.listen(socket, for: self, enabled: false)
        context.broker.shards[0].eventLoop.scheduleTask(in: Self.acceptPause) {
            if !self.stopped.withLockedValue({ $0 }) { lot.listen(self.socket, for: self, enabled: true) }
        }
    }

    static let acceptPause = TimeAmount.milliseconds(100)

    override func socketReady(events: UInt32) {
        let shards = context.broker.shards
        for _ in 0..<Self.acceptBatch {
            let client = csp_accept(socket)
            guard client >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: the waiting connection stays in the backlog; try
                    // again in a moment rather than spin on a socket that stays readable.
                    context.logger.warning("accepting a connection failed", metadata: ["errno": "\(errno)"])
                    pauseAccepting()
                    return
                default:
                    return
                }
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let shard = shards[nextShard]
            nextShard = (nextShard + 1) % shards.count
            let connection = ClientConnection(
                shard: shard,
                context: context,
                socket: client,
                carrier: .parked
            )
            connection.eventLoop.execute { connection.startParked() }
        }
    }
}

extension ClientConnection {
    /// A connection just accepted: its timer starts, and the lot watches for its CONNECT.
    func startParked() {
        start()
        do {
            try context.parkingLot?.add(socket, for: self)
        } catch {
            context.logger.warning("watching a new connection failed", metadata: ["error": "\(error)"])
            closeTransport()
        }
    }
}

/// Opening a listening socket without a channel.
enum ListeningSocket {
    static func open(_ address: SocketAddress) throws -> Int32 {
        let fd = Glibc.socket(
            Int32(address.protocol.rawValue),
            Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue),
            0
        )
        guard fd >= 0 else { throw ParkingLotError.system("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { pointer, size in Glibc.bind(fd, pointer, socklen_t(size)) }
        guard bound == 0, Glibc.listen(fd, 1024) == 0 else {
            let error = errno
            Glibc.close(fd)
            throw ParkingLotError.system("bind \(address)", error)
        }
        return fd
    }

    /// The port a listening socket is bound to (the one the kernel picked for port 0).
    static func port(of fd: Int32) throws -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw ParkingLotError.system("getsockname", errno) }
        // sockaddr_in and sockaddr_in6 both hold the port, big-endian, right after the 2-byte family.
        return withUnsafeBytes(of: storage) { bytes in Int(bytes[2]) << 8 | Int(bytes[3]) }
    }
}
