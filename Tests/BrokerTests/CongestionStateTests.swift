import Testing

@testable import Broker

@Suite("CongestionState")
struct CongestionStateTests {
    /// A session behind in both ways (queue and send buffer) that a watch found stalled.
    private static func stalledBothWays() -> CongestionState {
        var state = CongestionState()
        _ = state.sendBufferFilled()
        _ = state.setQueueBehind(true)
        _ = state.watched(progressSeen: state.progress)
        return state
    }

    @Test("a queue past the watermark slows publishers until it is back under it")
    func queueBehind_slowsPublishers() {
        var state = CongestionState()
        #expect(state.setQueueBehind(true) == .init(slowsPublishersChanged: true, fellBehind: true))
        #expect(state.slowsPublishers)
        #expect(state.setQueueBehind(true) == .init(slowsPublishersChanged: false, fellBehind: false))
        #expect(state.setQueueBehind(false) == .init(slowsPublishersChanged: true, fellBehind: false))
        #expect(!state.slowsPublishers)
    }

    @Test("a full send buffer slows publishers until it drains, which counts as progress")
    func sendBufferFull_slowsUntilDrained() {
        var state = CongestionState()
        #expect(state.sendBufferFilled() == .init(slowsPublishersChanged: true, fellBehind: true))
        let before = state.progress
        #expect(state.sendBufferDrained() == .init(slowsPublishersChanged: true, fellBehind: false))
        #expect(state.progress == before &+ 1)
        #expect(!state.isBehind)
    }

    @Test("a drain reported without a full buffer changes nothing")
    func sendBufferDrained_whenNotFull_changesNothing() {
        var state = CongestionState()
        #expect(state.sendBufferDrained() == .init(slowsPublishersChanged: false, fellBehind: false))
        #expect(state.progress == 0)
    }

    @Test("a session behind without progress since the watch looked is stalled and stops slowing publishers")
    func noProgress_stalls() {
        var state = CongestionState()
        _ = state.setQueueBehind(true)
        let seen = state.progress
        #expect(state.watched(progressSeen: seen) == .init(slowsPublishersChanged: true, fellBehind: false))
        #expect(state.stalled)
        #expect(state.isBehind, "still behind, only no longer heeded")
        #expect(!state.slowsPublishers)
    }

    @Test("progress since the watch looked keeps the session slowing publishers")
    func progress_preventsStall() {
        var state = CongestionState()
        _ = state.setQueueBehind(true)
        let seen = state.progress
        #expect(state.queueDrained() == .init(slowsPublishersChanged: false, fellBehind: false))
        #expect(state.watched(progressSeen: seen) == .init(slowsPublishersChanged: false, fellBehind: false))
        #expect(state.slowsPublishers)
    }

    @Test("a stalled session that makes progress slows publishers again")
    func stalled_thenProgress_slowsAgain() {
        var state = Self.stalledBothWays()
        #expect(state.queueDrained() == .init(slowsPublishersChanged: true, fellBehind: false))
        #expect(!state.stalled)
        #expect(state.slowsPublishers)
    }

    @Test("a disconnected session neither is behind nor stays stalled")
    func disconnected_clearsEverything() {
        var state = Self.stalledBothWays()
        #expect(state.disconnected() == .init(slowsPublishersChanged: false, fellBehind: false))
        #expect(!state.isBehind)
        #expect(!state.stalled)
        #expect(state.setQueueBehind(true) == .init(slowsPublishersChanged: true, fellBehind: true))
    }

    @Test("progress made while not behind is not counted")
    func progress_whileNotBehind_notCounted() {
        var state = CongestionState()
        _ = state.queueDrained()
        #expect(state.progress == 0)
    }
}
