import MQTTCodec
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the connect phase went.
struct ConnectPhaseResult: Sendable {
    var attempted = 0
    var connected = 0
    var failures: [String: Int] = [:]
    var elapsedNanoseconds: UInt64 = 0

    /// Established connections per second.
    var rate: Double {
        elapsedNanoseconds == 0 ? 0 : Double(connected) / (Double(elapsedNanoseconds) / 1e9)
    }

    static func += (lhs: inout ConnectPhaseResult, rhs: ConnectPhaseResult) {
        lhs.attempted += rhs.attempted
        lhs.connected += rhs.connected
        lhs.failures.merge(rhs.failures, uniquingKeysWith: +)
        lhs.elapsedNanoseconds += rhs.elapsedNanoseconds
    }
}

/// Opens client connections: one channel per plan with the MQTT decoder and a `BenchClientHandler`.
struct ClientFactory: Sendable {
    let configuration: BenchConfiguration
    let loops: LoopSet
    let addresses: [BenchHost: SocketAddress]
    let payloadTemplate: ByteBuffer

    /// Connects `plans` (at `--connect-rate` when set, with at most `maximumPendingConnects`
    /// attempts outstanding) and waits for each handshake. `offset` spreads them over the loops
    /// after the clients already connected.
    func connect(_ plans: [ClientPlan], offset: Int) async -> ConnectPhaseResult {
        var result = ConnectPhaseResult()
        guard !plans.isEmpty else { return result }
        let start = ContinuousClock.now
        let startNanoseconds = MonotonicClock.now()
        let rate = configuration.connectRate
        await withTaskGroup(of: String?.self) { group in
            var pending = 0
            func record(_ failure: String??) {
                pending -= 1
                result.attempted += 1
                switch failure {
                case .some(.some(let reason)): result.failures[reason, default: 0] += 1
                case .some(.none): result.connected += 1
                case .none: break
                }
            }
            for (index, plan) in plans.enumerated() {
                if rate > 0 {
                    // Pace from the start of the phase, so a slow attempt does not slow the rest.
                    let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                    do {
                        try await Task.sleep(until: due, clock: .continuous)
                    } catch {
                        break  // Cancelled: stop starting new connections.
                    }
                }
                if pending >= BenchRunner.maximumPendingConnects { record(await group.next()) }
                group.addTask { await self.connect(plan, client: offset + index) }
                pending += 1
            }
            while pending > 0 { record(await group.next()) }
        }
        result.elapsedNanoseconds = MonotonicClock.now() - startNanoseconds
        return result
    }

    /// Connects one client; `nil` once its handshake completed, otherwise why it failed.
    private func connect(_ plan: ClientPlan, client index: Int) async -> String? {
        let (loop, context) = loops.slot(forClient: index)
        let ready = loop.makePromise(of: Void.self)
        let timeout = TimeAmount.nanoseconds(Int64(min(configuration.connectTimeout.nanoseconds, UInt64(Int64.max))))
        let payloadTemplate = self.payloadTemplate
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(
                .writeBufferWaterMark,
                value: ChannelOptions.Types.WriteBufferWaterMark(
                    low: 64 * 1024,
                    high: 256 * 1024
                )
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = BenchClientHandler(
                        plan: plan,
                        loop: context.value,
                        ready: ready,
                        connectTimeout: timeout,
                        payloadTemplate: payloadTemplate
                    )
                    let decoder = MQTTPacketDecoder(
                        maximumPacketSize: plan.maximumInboundPacketSize,
                        protocolVersion: plan.protocolVersion
                    )
                    try channel.pipeline.syncOperations.addHandlers(ByteToMessageHandler(decoder), handler)
                }
            }
        guard let address = addresses[plan.host] else { return "\(plan.host) was not resolved" }
        let channel = bootstrap.connect(to: address)
        // The handler completes `ready`; this covers a channel that never got one.
        channel.whenFailure { ready.fail($0) }
        do {
            _ = try await channel.get()
            try await ready.futureResult.get()
            return nil
        } catch let error as BenchClientError {
            return error.description
        } catch {
            return "\(plan.host): \(Self.describe(error))"
        }
    }

    /// The cause of a failed connect, without NIO's wrapping.
    static func describe(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return describe(first.error)
        }
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode)) + " (errno \(io.errnoCode))"
        }
        return "\(error)"
    }
}
