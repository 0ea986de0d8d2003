import NIOCore
import NIOPosix

/// The event loops of a run, each with its `BenchLoopContext`, and the ways the runner reaches
/// them: by submitting closures, one loop at a time, never by touching a context directly.
struct LoopSet: Sendable {
    let loops: [any EventLoop]
    let contexts: [NIOLoopBoundBox<BenchLoopContext>]

    init(group: MultiThreadedEventLoopGroup) {
        loops = Array(group.makeIterator())
        contexts = loops.map { loop in
            NIOLoopBoundBox.makeBoxSendingValue(BenchLoopContext(eventLoop: loop), eventLoop: loop)
        }
    }

    /// Clients are spread round-robin over the loops.
    func slot(forClient index: Int) -> (loop: any EventLoop, context: NIOLoopBoundBox<BenchLoopContext>) {
        (loops[index % loops.count], contexts[index % contexts.count])
    }

    func forEach(_ body: @escaping @Sendable (BenchLoopContext) -> Void) async throws {
        _ = try await collect(body)
    }

    func collect<Value: Sendable>(_ body: @escaping @Sendable (BenchLoopContext) -> Value) async throws -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(contexts.count)
        for (loop, context) in zip(loops, contexts) {
            values.append(try await loop.submit { body(context.value) }.get())
        }
        return values
    }

    /// Counters and in-flight publishes summed over the loops.
    func progress() async throws -> LoopProgress {
        let parts = try await collect(\.progress)
        return LoopProgress(
            counters: parts.reduce(LoopCounters()) { $0 + $1.counters },
            inflight: parts.reduce(0) { $0 + $1.inflight }
        )
    }

    func disconnectAll() async throws {
        for (loop, context) in zip(loops, contexts) {
            try await loop.flatSubmit { context.value.disconnectAll() }.get()
        }
    }
}
