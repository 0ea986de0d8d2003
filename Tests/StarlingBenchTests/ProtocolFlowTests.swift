import MQTTCodec
import Testing

@testable import StarlingBench

@Suite("Client protocol flows")
struct ProtocolFlowTests {
    @Test func outboundWindow_allocatesDistinctNonZeroIdentifiers_untilFull() {
        var window = OutboundWindow(capacity: 3)
        let ids = (0..<3).compactMap { _ in window.open(qos: .atLeastOnce, now: 0) }
        #expect(Set(ids).count == 3)
        #expect(!ids.contains(0))
        #expect(window.open(qos: .atLeastOnce, now: 0) == nil)
        #expect(window.isFull)
    }

    @Test func outboundWindow_wrapsPastTheLastIdentifier_skippingThoseInUse() {
        var window = OutboundWindow(capacity: 2)
        let held = window.open(qos: .atLeastOnce, now: 0)!  // 1 stays outstanding
        for _ in 0..<65_533 {
            let id = window.open(qos: .atLeastOnce, now: 0)!
            _ = window.receivedPubAck(id, reasonCode: .success, now: 0)
        }
        // The next identifier after 65,535 would be 1, which is held.
        let id = window.open(qos: .atLeastOnce, now: 0)
        #expect(id == 65_535)
        _ = window.receivedPubAck(65_535, reasonCode: .success, now: 0)
        #expect(window.open(qos: .atLeastOnce, now: 0) == 2)
        #expect(held == 1)
    }

    @Test func outboundWindow_reportsLatency_whenPubAckCompletesAPublish() {
        var window = OutboundWindow(capacity: 4)
        let id = window.open(qos: .atLeastOnce, now: 1_000)!
        #expect(
            window.receivedPubAck(id, reasonCode: .success, now: 4_000)
                == .complete(latencyNanoseconds: 3_000, accepted: true)
        )
        #expect(window.count == 0)
    }

    @Test("[MQTT-4.3.3-4] outboundWindow_answersPubRecWithPubRel_thenCompletesOnPubComp")
    func outboundWindow_answersPubRecWithPubRel_thenCompletesOnPubComp() {
        var window = OutboundWindow(capacity: 4)
        let id = window.open(qos: .exactlyOnce, now: 0)!
        #expect(window.receivedPubRec(id, reasonCode: .success, now: 5) == .sendPubRel(packetID: id))
        #expect(window.stage(of: id) == .awaitingPubComp)
        #expect(window.receivedPubComp(id, now: 9) == .complete(latencyNanoseconds: 9, accepted: true))
        #expect(window.count == 0)
    }

    @Test func outboundWindow_endsTheFlowWithoutPubRel_whenPubRecRefuses() {
        var window = OutboundWindow(capacity: 4)
        let id = window.open(qos: .exactlyOnce, now: 0)!
        #expect(
            window.receivedPubRec(id, reasonCode: .quotaExceeded, now: 2)
                == .complete(latencyNanoseconds: 2, accepted: false)
        )
        #expect(window.count == 0)
    }

    @Test func outboundWindow_reportsAViolation_whenTheAcknowledgementDoesNotFitTheFlow() {
        var window = OutboundWindow(capacity: 4)
        let qos1 = window.open(qos: .atLeastOnce, now: 0)!
        let qos2 = window.open(qos: .exactlyOnce, now: 0)!
        #expect(isViolation(window.receivedPubRec(qos1, reasonCode: .success, now: 0)))
        #expect(isViolation(window.receivedPubAck(qos2, reasonCode: .success, now: 0)))
        #expect(isViolation(window.receivedPubComp(qos2, now: 0)))
        #expect(isViolation(window.receivedPubAck(999, reasonCode: .success, now: 0)))
        #expect(window.count == 2)
    }

    @Test("[MQTT-3.3.4-7] outboundWindow_shrinksToTheServerReceiveMaximum")
    func outboundWindow_shrinksToTheServerReceiveMaximum() {
        var window = OutboundWindow(capacity: 64)
        window.limit(toReceiveMaximum: 2)
        _ = window.open(qos: .atLeastOnce, now: 0)
        _ = window.open(qos: .atLeastOnce, now: 0)
        #expect(window.open(qos: .atLeastOnce, now: 0) == nil)
    }

    private func isViolation(_ action: OutboundWindow.AcknowledgementAction) -> Bool {
        if case .protocolViolation = action { return true }
        return false
    }

    @Test("[MQTT-4.3.2-4] inboundFlow_acknowledgesQoS1_withPubAck")
    func inboundFlow_acknowledgesQoS1_withPubAck() {
        var flow = InboundFlow()
        #expect(flow.receivedPublish(qos: .atMostOnce, packetID: nil) == .deliver)
        #expect(flow.receivedPublish(qos: .atLeastOnce, packetID: 7) == .deliverAndSendPubAck(packetID: 7))
    }

    @Test("[MQTT-4.3.3-8] [MQTT-4.3.3-10] [MQTT-4.3.3-11] inboundFlow_deliversQoS2Once_untilReleased")
    func inboundFlow_deliversQoS2Once_untilReleased() {
        var flow = InboundFlow()
        #expect(flow.receivedPublish(qos: .exactlyOnce, packetID: 3) == .deliverAndSendPubRec(packetID: 3))
        #expect(flow.receivedPublish(qos: .exactlyOnce, packetID: 3) == .sendPubRec(packetID: 3))
        #expect(flow.receivedPubRel(packetID: 3) == .sendPubComp(packetID: 3, reasonCode: .success))
        // Released: the identifier may carry a new message.
        #expect(flow.receivedPublish(qos: .exactlyOnce, packetID: 3) == .deliverAndSendPubRec(packetID: 3))
    }

    @Test func inboundFlow_answersAnUnknownPubRel_withIdentifierNotFound() {
        var flow = InboundFlow()
        #expect(flow.receivedPubRel(packetID: 9) == .sendPubComp(packetID: 9, reasonCode: .packetIdentifierNotFound))
    }

    @Test("[MQTT-3.1.2-20] keepAlive_sendsPingReq_afterHalfTheIntervalWithoutSending")
    func keepAlive_sendsPingReq_afterHalfTheIntervalWithoutSending() {
        let second: UInt64 = 1_000_000_000
        var timer = KeepAliveTimer(keepAliveSeconds: 10, now: 0)
        #expect(timer.tick(now: 4 * second) == .none)
        timer.sentPacket(now: 4 * second)
        #expect(timer.tick(now: 8 * second) == .none)
        #expect(timer.tick(now: 9 * second) == .sendPingReq)
        #expect(timer.tick(now: 12 * second) == .none)
        timer.receivedPingResp()
        #expect(timer.tick(now: 14 * second) == .sendPingReq)
    }

    @Test func keepAlive_closes_whenPingRespDoesNotArriveWithinTheInterval() {
        let second: UInt64 = 1_000_000_000
        var timer = KeepAliveTimer(keepAliveSeconds: 10, now: 0)
        #expect(timer.tick(now: 5 * second) == .sendPingReq)
        #expect(timer.tick(now: 14 * second) == .none)
        #expect(timer.tick(now: 15 * second) == .close(reason: "no PINGRESP within keep alive"))
    }

    @Test("[MQTT-3.2.2-21] keepAlive_followsTheServerKeepAlive")
    func keepAlive_followsTheServerKeepAlive() {
        let second: UInt64 = 1_000_000_000
        var timer = KeepAliveTimer(keepAliveSeconds: 60, now: 0)
        timer.useServerKeepAlive(seconds: 4)
        #expect(timer.tickIntervalNanoseconds == second)
        #expect(timer.tick(now: 2 * second) == .sendPingReq)
    }

    @Test func keepAlive_neverActs_whenDisabled() {
        var timer = KeepAliveTimer(keepAliveSeconds: 0, now: 0)
        #expect(timer.tickIntervalNanoseconds == nil)
        #expect(timer.tick(now: .max) == .none)
    }

    @Test func pacer_sendsTheFirstMessageAtItsPhase_andCatchesUpAfterALateTick() {
        let pacer = PublishPacer(rate: 20, phaseNanoseconds: 10_000_000)
        #expect(pacer.due(elapsedNanoseconds: 5_000_000, sent: 0) == 0)
        #expect(pacer.due(elapsedNanoseconds: 10_000_000, sent: 0) == 1)
        // One second late: 20 more are due at once.
        #expect(pacer.due(elapsedNanoseconds: 1_010_000_000, sent: 1) == 20)
        #expect(pacer.target(elapsedNanoseconds: 9_999_999_999) == 200)
    }

    @Test func pacer_spreadsPhasesOverOneMessageInterval() {
        let phases = (0..<4).map { PublishPacer.phase(ofPublisher: $0, of: 4, rate: 10) }
        #expect(phases == [0, 25_000_000, 50_000_000, 75_000_000])
    }

    @Test func pacer_ticksOnAFixedGrid_boundedBetweenOneAndOneHundredMilliseconds() {
        #expect(PublishPacer(rate: 1_000_000).tickIntervalNanoseconds == 1_000_000)
        #expect(PublishPacer(rate: 0.5).tickIntervalNanoseconds == 100_000_000)
        let pacer = PublishPacer(rate: 20, phaseNanoseconds: 7)
        #expect(pacer.nextTick(afterElapsedNanoseconds: 0) == 7)
        #expect(pacer.nextTick(afterElapsedNanoseconds: 60_000_000) == 100_000_007)
    }
}
