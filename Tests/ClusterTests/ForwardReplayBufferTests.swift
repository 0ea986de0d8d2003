import ClusterProtocol
import MQTTCodec
import NIOCore
import Testing

@testable import Cluster

@Suite("Forward replay buffer")
struct ForwardReplayBufferTests {
    static func message(_ text: String) -> PeerFrame.ForwardedMessage {
        PeerFrame.ForwardedMessage(
            id: 0,
            target: .subscribers,
            publish: MQTTPacket.Publish(topic: "t", payload: ByteBuffer(string: text), qos: .atLeastOnce, retain: false)
        )
    }

    @Test func ids_increase_andAcknowledgedOnes_areNotReplayed() {
        var buffer = ForwardReplayBuffer(capacity: 10, maximumAge: .seconds(30))
        let now = NIODeadline.now()
        var ids: [UInt64] = []
        for index in 0..<5 {
            var message = Self.message("m\(index)")
            buffer.record(&message, now: now)
            ids.append(message.id)
        }
        #expect(ids == [1, 2, 3, 4, 5])
        buffer.acknowledge(upTo: 3)
        #expect(buffer.replay(now: now).map(\.id) == [4, 5])
        #expect(buffer.dropped == 0)
    }

    @Test func past_capacity_theOldestAreDropped_andCounted() {
        var buffer = ForwardReplayBuffer(capacity: 3, maximumAge: .seconds(30))
        let now = NIODeadline.now()
        for index in 0..<5 {
            var message = Self.message("m\(index)")
            buffer.record(&message, now: now)
        }
        #expect(buffer.replay(now: now).map(\.id) == [3, 4, 5])
        #expect(buffer.dropped == 2)
    }

    @Test func past_maximumAge_nothingIsReplayed_andDropsAreCounted() {
        var buffer = ForwardReplayBuffer(capacity: 10, maximumAge: .seconds(30))
        let start = NIODeadline.now()
        var old = Self.message("old")
        buffer.record(&old, now: start)
        var fresh = Self.message("fresh")
        buffer.record(&fresh, now: start + .seconds(20))
        #expect(buffer.replay(now: start + .seconds(31)).map(\.id) == [2])
        #expect(buffer.dropped == 1)
    }

    @Test func capacityZero_keepsNothing_butStillNumbers() {
        var buffer = ForwardReplayBuffer(capacity: 0, maximumAge: .seconds(30))
        var message = Self.message("m")
        buffer.record(&message, now: .now())
        #expect(message.id == 1)
        #expect(buffer.count == 0)
        #expect(buffer.replay(now: .now()).isEmpty)
    }

    @Test func discardAll_countsWhatWasPending() {
        var buffer = ForwardReplayBuffer(capacity: 10, maximumAge: .seconds(30))
        for _ in 0..<4 {
            var message = Self.message("m")
            buffer.record(&message, now: .now())
        }
        buffer.discardAll()
        #expect(buffer.count == 0)
        #expect(buffer.dropped == 4)
    }
}
