/// The client's side of keep alive (5.0 §3.1.2.10): send PINGREQ when nothing else was sent for
/// half the interval, and give up when a PINGREQ stays unanswered for a whole interval.
public struct KeepAliveTimer: Sendable, Equatable {
    public enum TickAction: Sendable, Equatable {
        case none
        case sendPingReq
        case close(reason: String)
    }

    /// Zero disables keep alive.
    public private(set) var intervalNanoseconds: UInt64
    private var lastSentAt: UInt64
    private var pingSentAt: UInt64?

    public init(keepAliveSeconds: UInt16, now: UInt64) {
        intervalNanoseconds = UInt64(keepAliveSeconds) * 1_000_000_000
        lastSentAt = now
    }

    /// The server's Server Keep Alive replaces the value sent in CONNECT.
    public mutating func useServerKeepAlive(seconds: UInt16) {
        // [MQTT-3.2.2-21] the client uses the Server Keep Alive instead of its own.
        intervalNanoseconds = UInt64(seconds) * 1_000_000_000
    }

    /// How often to call `tick(now:)`: a quarter of the interval, `nil` when disabled.
    public var tickIntervalNanoseconds: UInt64? {
        intervalNanoseconds == 0 ? nil : max(intervalNanoseconds / 4, 1_000_000)
    }

    public mutating func sentPacket(now: UInt64) {
        lastSentAt = now
    }

    public mutating func receivedPingResp() {
        pingSentAt = nil
    }

    public mutating func tick(now: UInt64) -> TickAction {
        guard intervalNanoseconds > 0 else { return .none }
        if let pingSentAt {
            // 3.1.1 §3.1.2.10: a client that gets no PINGRESP in a reasonable time closes.
            return elapsed(since: pingSentAt, now: now) >= intervalNanoseconds
                ? .close(reason: "no PINGRESP within keep alive") : .none
        }
        // [MQTT-3.1.2-20] with nothing else to send, the client sends PINGREQ within keep alive.
        guard elapsed(since: lastSentAt, now: now) >= intervalNanoseconds / 2 else { return .none }
        pingSentAt = now
        lastSentAt = now
        return .sendPingReq
    }

    private func elapsed(since start: UInt64, now: UInt64) -> UInt64 {
        now > start ? now - start : 0
    }
}
