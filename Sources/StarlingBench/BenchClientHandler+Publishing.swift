import Histogram
import MQTTCodec
import NIOCore

/// Publishing: paced by `PublishPacer` when a rate is set; otherwise as fast as the window of
/// unacknowledged publishes (QoS 1/2) or the socket (QoS 0) allows.
extension BenchClientHandler {
    /// Messages are gathered into buffers of about this size before being written.
    static let batchBytes = 64 * 1024

    var inflight: Int { publisher?.window.count ?? 0 }

    var publisherResult: PublisherResult? {
        guard let publisher else { return nil }
        return PublisherResult(publisherIndex: publisher.plan.index, topic: publisher.plan.topic, sent: publisher.sent)
    }

    func startPublishing(window: MeasurementWindow) {
        guard publisher != nil, case .ready = state else { return }
        publisher!.measurement = window
        publisher!.running = true
        if let pacer = publisher!.pacer, let context {
            publisher!.tickTimer = context.eventLoop.assumeIsolated().scheduleTask(
                deadline: .uptimeNanoseconds(window.start + pacer.phaseNanoseconds)
            ) {
                self.paceTick()
            }
        } else {
            resumePublishing()
        }
    }

    func stopPublishing() {
        guard publisher != nil else { return }
        publisher!.running = false
        publisher!.tickTimer?.cancel()
        publisher!.tickTimer = nil
    }

    /// Continues an unlimited publisher after the socket drained or acknowledgements arrived.
    ///
    /// Here and below, fields are read through `publisher?.…` rather than by binding a copy of the
    /// state: a live copy would make `publish(upTo:)` copy the window's storage.
    func resumePublishing() {
        guard publisher?.running == true, publisher?.pacer == nil, let qos = publisher?.plan.qos else { return }
        if qos == .atMostOnce {
            schedulePump()
        } else {
            publisher!.windowNeedsRefill = false
            publish(upTo: UInt64(publisher!.window.freeSlots))
            flushIfNeeded()
        }
    }

    /// After a read: unlimited QoS 1/2 publishers fill the slots the acknowledgements freed.
    func refillWindowIfNeeded() {
        guard publisher?.windowNeedsRefill == true else { return }
        resumePublishing()
    }

    func receivedAcknowledgement(
        now: UInt64,
        _ receive: (inout OutboundWindow) -> OutboundWindow.AcknowledgementAction
    ) {
        guard publisher != nil else { return fail("an acknowledgement arrived on a connection that does not publish") }
        switch receive(&publisher!.window) {
        case .complete(let latency, let accepted):
            if accepted {
                loop.counters.acknowledged += 1
            } else {
                loop.counters.rejected += 1
            }
            // Recorded for publishes sent after the warm-up.
            if let measurement = publisher!.measurement, measurement.measures(now &- latency) {
                loop.acknowledgementLatency.record(latency / 1_000)
            }
            if publisher!.running && publisher!.pacer == nil { publisher!.windowNeedsRefill = true }
        case .sendPubRel(let packetID):
            send(.pubRel(MQTTPacket.PubRel(packetID: packetID)), now: now)
        case .protocolViolation(let reason):
            fail(reason)
        }
    }

    // MARK: Paced

    private func paceTick() {
        guard publisher?.running == true, let pacer = publisher?.pacer, let measurement = publisher?.measurement,
            let sent = publisher?.sent, let context
        else { return }
        let now = MonotonicClock.now()
        let due = pacer.due(elapsedNanoseconds: now &- measurement.start, sent: sent)
        if due > 0 {
            publish(upTo: due)
            flushIfNeeded()
        }
        guard self.publisher!.running else { return }
        // Ticks sit on a fixed grid from the start, so the delay of one tick does not push back the others.
        let next = pacer.nextTick(afterElapsedNanoseconds: MonotonicClock.now() &- measurement.start)
        self.publisher!.tickTimer = context.eventLoop.assumeIsolated().scheduleTask(
            deadline: .uptimeNanoseconds(measurement.start + next)
        ) {
            self.paceTick()
        }
    }

    // MARK: Unlimited QoS 0

    /// Queues one send loop; each yields the event loop so reads and other clients keep going.
    private func schedulePump() {
        guard let context, publisher?.pumpScheduled == false else { return }
        publisher!.pumpScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.publisher?.pumpScheduled = false
            self.pump()
        }
    }

    private func pump() {
        guard publisher?.running == true, let packetSize = publisher?.packetSize, let context else { return }
        publish(upTo: UInt64(max(1, 4 * Self.batchBytes / packetSize)))
        flushIfNeeded()
        if context.channel.isWritable { schedulePump() }
    }

    // MARK: Encoding

    /// Writes up to `limit` publishes, batched into buffers of about `batchBytes`; stops early at
    /// the end of the run, a full window or an unwritable socket. Returns how many were written.
    @discardableResult
    func publish(upTo limit: UInt64) -> UInt64 {
        guard var publisher, publisher.running, let measurement = publisher.measurement, let context else { return 0 }
        // Mutate a unique local copy and put it back, so the window's storage is not copied.
        self.publisher = nil
        defer {
            // A write may have closed the connection meanwhile.
            if case .ready = state {} else { publisher.running = false }
            self.publisher = publisher
        }
        let allocator = context.channel.allocator
        let qos = publisher.plan.qos
        var buffer: ByteBuffer?
        var written: UInt64 = 0
        var now = MonotonicClock.now()
        while written < limit {
            if now >= measurement.end {
                publisher.running = false
                break
            }
            guard context.channel.isWritable else {
                loop.counters.pausedNotWritable += 1
                break
            }
            var packetID: UInt16?
            if qos != .atMostOnce {
                guard let id = publisher.window.open(qos: qos, now: now) else {
                    loop.counters.pausedInflightFull += 1
                    break
                }
                packetID = id
            }
            if buffer == nil {
                let messages = min(Int(limit - written), max(1, Self.batchBytes / publisher.packetSize))
                buffer = allocator.buffer(capacity: messages * publisher.packetSize)
            }
            let publish = MQTTPacket.Publish(
                topic: publisher.plan.topic,
                payload: publisher.payloadTemplate,
                qos: qos,
                packetID: packetID
            )
            publish.encodeHeaders(version: version, into: &buffer!)
            PayloadHeader(
                sentAtNanoseconds: now,
                publisherIndex: UInt32(publisher.plan.index),
                sequence: publisher.sent
            )
            .write(into: &buffer!, paddingTo: publisher.plan.payloadSize)
            publisher.sent += 1
            written += 1
            loop.counters.sent += 1
            if measurement.measures(now) { loop.counters.sentMeasured += 1 }
            if buffer!.readableBytes >= Self.batchBytes {
                context.write(wrapOutboundOut(buffer!), promise: nil)
                buffer = nil
            }
            now = MonotonicClock.now()
        }
        if let buffer {
            context.write(wrapOutboundOut(buffer), promise: nil)
        }
        if written > 0 {
            keepAlive.sentPacket(now: now)
            needsFlush = true
        }
        return written
    }
}
