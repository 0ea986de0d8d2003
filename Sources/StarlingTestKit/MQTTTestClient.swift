import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A minimal MQTT client for tests: sends any packet, including ones a well-behaved client
/// never would, and hands back every packet the server sends, in order.
public final class MQTTTestClient: Sendable {
    public let channel: any Channel
    public let version: ProtocolVersion
    private let inbox: PacketInbox

    private init(channel: any Channel, version: ProtocolVersion, inbox: PacketInbox) {
        self.channel = channel
        self.version = version
        self.inbox = inbox
    }

    /// Opens a TCP connection to `host:port` without sending anything.
    public static func open(
        host: String = "127.0.0.1",
        port: Int,
        version: ProtocolVersion,
        group: any EventLoopGroup
    ) async throws -> MQTTTestClient {
        let inbox = PacketInbox()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(
                            MQTTPacketDecoder(maximumPacketSize: 268_435_460, protocolVersion: version)
                        )
                    )
                    try channel.pipeline.syncOperations.addHandler(OutboundEncoder(version: version))
                    try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox: inbox))
                }
            }
            .connect(host: host, port: port)
            .get()
        return MQTTTestClient(channel: channel, version: version, inbox: inbox)
    }

    /// Opens a connection, sends CONNECT and waits for the CONNACK.
    public static func connect(
        port: Int,
        _ connect: MQTTPacket.Connect,
        group: any EventLoopGroup,
        timeout: Duration = .seconds(10)
    ) async throws -> (MQTTTestClient, MQTTPacket.ConnAck) {
        let client = try await open(port: port, version: connect.protocolVersion, group: group)
        try await client.send(.connect(connect))
        guard case .connAck(let connAck) = try await client.next(timeout: timeout) else {
            throw TestClientError.unexpectedPacket
        }
        return (client, connAck)
    }

    public func send(_ packet: MQTTPacket) async throws {
        try await channel.writeAndFlush(Outbound.packet(packet))
    }

    /// Writes raw bytes, for malformed-input tests.
    public func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(Outbound.bytes(channel.allocator.buffer(bytes: bytes)))
    }

    /// The next packet from the server; throws `closed` if the connection ends first and
    /// `timedOut` after `timeout`.
    public func next(timeout: Duration = .seconds(10)) async throws -> MQTTPacket {
        try await inbox.next(timeout: timeout)
    }

    /// Waits until the server closes the connection; returns the packets received before.
    public func waitForClose(timeout: Duration = .seconds(10)) async throws -> [MQTTPacket] {
        var packets: [MQTTPacket] = []
        while true {
            do {
                packets.append(try await next(timeout: timeout))
            } catch TestClientError.closed {
                return packets
            }
        }
    }

    /// Packets already received and not yet taken with `next`.
    public var buffered: [MQTTPacket] { inbox.buffered }

    public func close() async {
        try? await channel.close()
    }
}

public enum TestClientError: Error, Sendable {
    case closed
    case timedOut
    case unexpectedPacket
}

/// Packets received by a test client, with waiters for the next one.
final class PacketInbox: Sendable {
    private struct State {
        var packets: [MQTTPacket] = []
        var closed = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func append(_ packet: MQTTPacket) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.packets.append(packet)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func close() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    var buffered: [MQTTPacket] { state.withLockedValue { $0.packets } }

    func next(timeout: Duration) async throws -> MQTTPacket {
        let deadline = ContinuousClock.now + timeout
        while true {
            enum Poll {
                case packet(MQTTPacket)
                case closed
                case empty
            }
            let poll = state.withLockedValue { state -> Poll in
                if !state.packets.isEmpty { return .packet(state.packets.removeFirst()) }
                return state.closed ? .closed : .empty
            }
            switch poll {
            case .packet(let packet): return packet
            case .closed: throw TestClientError.closed
            case .empty: break
            }
            guard ContinuousClock.now < deadline else { throw TestClientError.timedOut }
            await waitForArrival(until: deadline)
        }
    }

    /// Suspends until a packet arrives, the connection closes or the deadline passes.
    private func waitForArrival(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = self.state.withLockedValue { state -> Bool in
                        if !state.packets.isEmpty || state.closed { return true }
                        state.waiter?.resume()
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                let waiter = self.state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
            await group.next()
            group.cancelAll()
        }
    }
}

/// What a test client writes: a packet to encode, or bytes exactly as given.
enum Outbound: Sendable {
    case packet(MQTTPacket)
    case bytes(ByteBuffer)
}

final class OutboundEncoder: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = Outbound
    typealias OutboundOut = ByteBuffer
    let version: ProtocolVersion

    init(version: ProtocolVersion) { self.version = version }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .packet(let packet):
            var buffer = context.channel.allocator.buffer(capacity: packet.encodedSize(version: version))
            packet.encode(version: version, into: &buffer)
            context.write(wrapOutboundOut(buffer), promise: promise)
        case .bytes(let bytes):
            context.write(wrapOutboundOut(bytes), promise: promise)
        }
    }
}

final class InboxHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = MQTTPacket
    let inbox: PacketInbox

    init(inbox: PacketInbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.close()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
