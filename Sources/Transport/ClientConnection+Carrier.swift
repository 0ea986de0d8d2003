import CSocketPoll
import Glibc
import Logging
import NIOCore
import NIOPosix

/// How a connection's bytes travel: through a SwiftNIO channel while it is busy, or straight
/// through its socket while it waits in the ``ParkingLot``.
///
/// A connection starts parked: the lot accepts it and the CONNECT is read from the socket, and
/// the CONNACK written to it, without a channel. Bytes that arrive soon after earlier traffic
/// (within `parkAfter`), a read that fills the read buffer, or a write the socket cannot take at
/// once wake the connection: it gets a channel on its shard's loop, with a duplicate of the
/// socket, and writes made meanwhile wait in order. After `parkAfter` without traffic, with
/// nothing left to write or to decode, the channel is closed (its duplicate with it) and the
/// connection is parked again.
extension ClientConnection {
    enum Carrier {
        case channel(any Channel)
        case parked
        /// A channel is being made; these bytes go out once it is there.
        case waking(queued: [ByteBuffer])
        case gone
    }

    /// Reads from the socket while parked, at most this many bytes at a time; a read that fills
    /// it means the client is busy, and the connection is woken.
    static let parkedReadSize = 4096
    /// A channel's write buffer marks; bytes queued while waking count against the high one too.
    static let writeBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 32 * 1024, high: 256 * 1024)

    /// Whether a quiet connection could move to the parking lot: it has a socket of its own and
    /// a lot, and is in a channel now.
    var canPark: Bool {
        guard socket >= 0, context.parkingLot != nil, case .channel = carrier else { return false }
        return true
    }

    var carrierIsWritable: Bool {
        switch carrier {
        case .channel(let channel): channel.isWritable
        case .parked: true
        case .waking(let queued): queued.reduce(0) { $0 + $1.readableBytes } < Self.writeBufferWaterMark.high
        case .gone: false
        }
    }

    // MARK: Writing

    func writeBytes(_ buffer: ByteBuffer) {
        switch carrier {
        case .channel(let channel):
            wroteSinceTimer = true
            channel.write(buffer, promise: nil)
            scheduleFlush(channel)
        case .parked:
            // Straight to the socket; only a write it cannot take wakes the connection (reads decide
            // whether it is busy).
            lastActivityAt = eventLoop.now
            writeParked(buffer)
        case .waking:
            queueWhileWaking(buffer)
        case .gone:
            break
        }
    }

    /// Appends to the writes waiting for the channel, in place: the carrier lets go of the array
    /// first, so appending does not copy it.
    private func queueWhileWaking(_ buffer: ByteBuffer) {
        guard case .waking(var queued) = carrier else { return }
        carrier = .gone
        queued.append(buffer)
        carrier = .waking(queued: queued)
    }

    private func scheduleFlush(_ channel: any Channel) {
        guard !flushScheduled else { return }
        flushScheduled = true
        eventLoop.execute {
            self.flushScheduled = false
            channel.flush()
        }
    }

    /// Called after a channel's read burst.
    func flushAfterRead() {
        if case .channel(let channel) = carrier { channel.flush() }
    }

    /// Writes straight to the parked socket; what it cannot take at once goes through a channel.
    private func writeParked(_ buffer: ByteBuffer) {
        var rest = buffer
        while rest.readableBytes > 0 {
            let written = rest.withUnsafeReadableBytes { bytes in
                Glibc.send(socket, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if written > 0 {
                rest.moveReaderIndex(forwardBy: written)
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                wake(queueing: rest)
                return
            } else {
                closeTransport()
                return
            }
        }
    }

    /// Writes `buffer`, then closes; for a refused CONNECT.
    func writeThenClose(_ buffer: ByteBuffer) {
        isClosing = true
        switch carrier {
        case .channel(let channel):
            channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
        case .parked:
            writeParked(buffer)
            closeTransport()
        case .waking, .gone:
            closeTransport()
        }
    }

    /// Writes `buffer` (a DISCONNECT), half-closes, and closes a moment later: a client still
    /// sending (PUBACKs under load) would otherwise get a reset that can discard the DISCONNECT
    /// before it reads it.
    func writeThenHalfClose(_ buffer: ByteBuffer) {
        isClosing = true
        switch carrier {
        case .channel(let channel):
            let loop = eventLoop
            channel.writeAndFlush(buffer).whenComplete { _ in
                channel.close(mode: .output, promise: nil)
                loop.scheduleTask(in: Self.lingerAfterDisconnect) { channel.close(promise: nil) }
            }
        case .parked:
            // As through a channel: the lot keeps watching, so the client's own close ends the
            // connection at once; the linger ends it otherwise.
            writeParked(buffer)
            guard case .parked = carrier else { return }  // the write woke it, or failed and closed it
            shutdown(socket, Int32(SHUT_WR))
            eventLoop.scheduleTask(in: Self.lingerAfterDisconnect) {
                if case .parked = self.carrier { self.closeTransport() }
            }
        case .waking:
            // The channel takes it when it comes, and closes as above.
            queueWhileWaking(buffer)
        case .gone:
            break
        }
    }

    // MARK: Closing

    /// Closes the socket now, without a word to the client.
    func closeTransport() {
        isClosing = true
        switch carrier {
        case .channel(let channel):
            // `channelClosed` follows.
            channel.close(promise: nil)
        case .parked:
            context.parkingLot?.remove(socket, for: self)
            carrier = .gone
            releaseSocket()
        case .waking:
            // Closed when the channel comes.
            break
        case .gone:
            break
        }
    }

    /// The channel closed. Unless it was closed to park the connection, so has the connection.
    func channelClosed(_ channel: any Channel) {
        guard case .channel(let current) = carrier, current === channel else { return }
        carrier = .gone
        releaseSocket()
    }

    /// Closes our own descriptor (a channel has closed its duplicate) and ends the connection.
    private func releaseSocket() {
        if socket >= 0 { Glibc.close(socket) }
        transportClosed()
    }

    // MARK: Parking

    /// Moves a quiet connection from its channel to the parking lot.
    func park() {
        guard case .channel(let channel) = carrier, let lot = context.parkingLot, !isClosing, !readingPaused,
            !flushScheduled, reader.bufferedBytes == 0, channel.isWritable,
            (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) == 0
        else { return }
        carrier = .parked
        channel.close(promise: nil)
        do {
            try lot.add(socket, for: self)
            context.counters.countParked()
        } catch {
            context.logger.warning("parking a connection failed", metadata: ["error": "\(error)"])
            carrier = .gone
            releaseSocket()
        }
    }

    /// The lot saw the parked socket readable (or closed). On the connection's loop.
    func parkedSocketReady() {
        guard case .parked = carrier else { return }
        if isClosing {
            discardUntilClosed()
            return
        }
        if case .connected = phase, eventLoop.now - lastActivityAt < context.parkAfter {
            wake(queueing: nil)
            return
        }
        // Read onto the stack and keep only what came: a parked connection reads little and rarely.
        var buffer = ByteBuffer()
        let result = withUnsafeTemporaryAllocation(byteCount: Self.parkedReadSize, alignment: 1) { scratch in
            let result = Glibc.recv(socket, scratch.baseAddress, Self.parkedReadSize, Int32(MSG_DONTWAIT))
            if result > 0 { buffer = ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: scratch[..<result])) }
            return result
        }
        if result < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
            rearm()
            return
        }
        guard result > 0 else {
            // End of stream, or an error: the client is gone.
            closeTransport()
            return
        }
        let count = result
        received(bytes: buffer)
        guard case .parked = carrier else { return }
        if count == Self.parkedReadSize {
            wake(queueing: nil)
        } else {
            rearm()
        }
    }

    /// Told to go and half-closed: what the client still sends is read and dropped until it closes.
    private func discardUntilClosed() {
        let result = withUnsafeTemporaryAllocation(byteCount: Self.parkedReadSize, alignment: 1) { scratch in
            Glibc.recv(socket, scratch.baseAddress, Self.parkedReadSize, Int32(MSG_DONTWAIT))
        }
        if result > 0 || (result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            rearm()
        } else {
            closeTransport()
        }
    }

    private func rearm() {
        do {
            try context.parkingLot?.rearm(socket, for: self)
        } catch {
            closeTransport()
        }
    }

    /// Gives the connection a channel again, with `buffer` (if any) as its first write.
    func wake(queueing buffer: ByteBuffer?) {
        guard case .parked = carrier, let lot = context.parkingLot else { return }
        lot.remove(socket, for: self)
        carrier = .waking(queued: buffer.map { [$0] } ?? [])
        context.counters.countWoken()
        let duplicate = dup(socket)
        guard duplicate >= 0 else {
            carrier = .gone
            releaseSocket()
            return
        }
        // TCP_NODELAY was set on the socket when it was accepted; the duplicate shares it.
        ClientBootstrap(group: eventLoop)
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelOption(.recvAllocator, value: ReadBufferSizer())
            .channelOption(.writeBufferWaterMark, value: Self.writeBufferWaterMark)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MQTTConnectionHandler(connection: self))
                }
            }
            .withConnectedSocket(duplicate)
            .hop(to: eventLoop)
            .whenFailure { error in self.wakingFailed(error) }
    }

    /// The new channel is active (before it reads anything): it carries the connection from now on,
    /// starting with what was written while it was being made.
    func channelActive(_ channel: any Channel) {
        guard case .waking(let queued) = carrier else { return }
        carrier = .channel(channel)
        lastActivityAt = eventLoop.now
        for buffer in queued { channel.write(buffer, promise: nil) }
        channel.flush()
        if isClosing {
            if queued.isEmpty {
                channel.close(promise: nil)
            } else {
                channel.close(mode: .output, promise: nil)
                let loop = eventLoop
                loop.scheduleTask(in: Self.lingerAfterDisconnect) { channel.close(promise: nil) }
            }
        }
        armTimer()
    }

    private func wakingFailed(_ error: any Error) {
        guard case .waking = carrier else { return }
        context.logger.debug("waking a connection failed", metadata: ["error": "\(error)"])
        carrier = .gone
        releaseSocket()
    }
}
