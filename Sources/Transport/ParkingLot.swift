import CSocketPoll
import Foundation
import NIOConcurrencyHelpers

/// One thread watching sockets that need no event loop channel: the listening sockets, whose new
/// connections it accepts, and every quiet client connection, which it hands back to the
/// connection's event loop when bytes arrive.
///
/// Most MQTT connections are idle most of the time. A SwiftNIO channel costs about 2 KiB for as
/// long as it is open; a connection waiting here costs only its ``ClientConnection``. Sockets are
/// watched one-shot: after an event the socket stays registered but disarmed until its owner,
/// on its own loop, either re-arms it or takes it out.
///
/// An entry's registration holds a reference to it. Removing an entry releases that reference
/// only after the thread has finished the batch of events it may be handling, so an event the
/// kernel reported just before the removal never reaches a freed object.
final class ParkingLot: @unchecked Sendable {
    /// What the lot watches: a listener or a parked connection.
    class Entry: @unchecked Sendable {
        /// Called on the lot's thread with the epoll event mask; must not block.
        func socketReady(events: UInt32) {}
    }

    let epoll: Int32
    let stopSignal: Int32
    private let lock = NIOLock()
    /// References of removed entries, dropped by the thread after its current batch.
    private var released: [Unmanaged<Entry>] = []
    private var stopping = false
    private var threadEnded = false
    /// Entries registered now (parked connections and listeners), for the counters.
    private let registered = NIOLockedValueBox(0)

    init() throws {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw ParkingLotError.system("epoll_create1", errno) }
        stopSignal = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard stopSignal >= 0 else {
            close(epoll)
            throw ParkingLotError.system("eventfd", errno)
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 0
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, stopSignal, &event) == 0 else {
            close(stopSignal)
            close(epoll)
            throw ParkingLotError.system("epoll_ctl", errno)
        }
        // The running thread keeps the lot; once stopped, it lets go.
        let thread = Thread { [self] in run() }
        thread.name = "starling-parking"
        thread.start()
    }

    /// Whether the thread has ended after ``stop()``.
    var hasStopped: Bool { lock.withLock { threadEnded } }

    /// How many sockets are registered.
    var count: Int { registered.withLockedValue { $0 } }

    /// Watches `fd` for `entry`: one-shot readability, or level-triggered for a listening socket.
    func add(_ fd: Int32, for entry: Entry, oneShot: Bool = true) throws {
        var event = epoll_event()
        event.events = Self.readable | (oneShot ? EPOLLONESHOT.rawValue : 0)
        let reference = Unmanaged.passRetained(entry)
        event.data.u64 = UInt64(UInt(bitPattern: reference.toOpaque()))
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else {
            let error = errno
            reference.release()
            throw ParkingLotError.system("epoll_ctl", error)
        }
        registered.withLockedValue { $0 += 1 }
    }

    /// Arms a one-shot registration again after its event.
    func rearm(_ fd: Int32, for entry: Entry) throws {
        var event = epoll_event()
        event.events = Self.readable | EPOLLONESHOT.rawValue
        event.data.u64 = UInt64(UInt(bitPattern: Unmanaged.passUnretained(entry).toOpaque()))
        guard epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0 else { throw ParkingLotError.system("epoll_ctl", errno) }
    }

    /// Turns a level-triggered registration (a listener's) off or on again, keeping the entry.
    func listen(_ fd: Int32, for entry: Entry, enabled: Bool) {
        var event = epoll_event()
        event.events = enabled ? Self.readable : 0
        event.data.u64 = UInt64(UInt(bitPattern: Unmanaged.passUnretained(entry).toOpaque()))
        _ = epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`; `entry`'s reference is dropped once no event in flight can name it.
    func remove(_ fd: Int32, for entry: Entry) {
        var unused = epoll_event()
        guard epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &unused) == 0 else { return }
        registered.withLockedValue { $0 -= 1 }
        let reference = Unmanaged.passUnretained(entry)
        lock.withLock { released.append(reference) }
    }

    /// Ends the thread; a second call does nothing. Entries still registered are left to the
    /// process's end. The descriptors stay open until the lot itself goes (``deinit``): connections
    /// that close later still remove themselves, and a closed descriptor's number may already
    /// belong to another socket of this process.
    func stop() {
        guard
            lock.withLock({ () -> Bool in
                defer { stopping = true }
                return !stopping
            })
        else { return }
        var one: UInt64 = 1
        _ = write(stopSignal, &one, MemoryLayout<UInt64>.size)
    }

    deinit {
        close(stopSignal)
        close(epoll)
    }

    private static let readable = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
    private static let batchSize = 256

    private func run() {
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Self.batchSize)
        defer {
            events.deallocate()
            lock.withLock { threadEnded = true }
        }
        var running = true
        while running {
            // A timeout so that released references are dropped even when nothing happens.
            let count = epoll_wait(epoll, events, Int32(Self.batchSize), 1000)
            if count < 0, errno != EINTR { return }
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                guard event.data.u64 != 0 else {
                    running = false
                    continue
                }
                let pointer = UnsafeRawPointer(bitPattern: UInt(event.data.u64))!
                Unmanaged<Entry>.fromOpaque(pointer).takeUnretainedValue().socketReady(events: event.events)
            }
            let done = lock.withLock {
                let done = released
                released.removeAll(keepingCapacity: true)
                return done
            }
            for reference in done { reference.release() }
        }
    }
}

enum ParkingLotError: Error, CustomStringConvertible {
    case system(String, Int32)

    var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
