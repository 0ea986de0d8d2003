import MQTTCodec
import NIOCore

/// Layout of the session frames (cluster/PROTOCOL.md, "Sessions").
extension PeerFrameCodec {
    static let maximumSubscriptions = 65_536
    static let maximumSessionRecords = 1_000_000
    static let maximumSubscriptionIdentifiers = 256

    /// Writes the type and body of a session frame; false for any other frame.
    static func encodeSessionFrame(_ frame: PeerFrame, into buffer: inout ByteBuffer) -> Bool {
        switch frame {
        case .sessionClaim(let claim):
            buffer.writeInteger(PeerFrame.FrameType.sessionClaim.rawValue)
            buffer.writeInteger(claim.requestID)
            buffer.writePeerString(claim.clientID)
            buffer.writeInteger(claim.claimedAt)
        case .sessionClaimReply(let reply):
            buffer.writeInteger(PeerFrame.FrameType.sessionClaimReply.rawValue)
            buffer.writeInteger(reply.requestID)
            buffer.writePeerString(reply.previousHolder)
            buffer.writeInteger(reply.generation)
        case .sessionFetch(let fetch):
            buffer.writeInteger(PeerFrame.FrameType.sessionFetch.rawValue)
            buffer.writeInteger(fetch.requestID)
            buffer.writePeerString(fetch.clientID)
            buffer.writeInteger(UInt8(fetch.cleanStart ? 1 : 0))
            buffer.writeInteger(fetch.generation)
        case .sessionHandoff(let handoff):
            buffer.writeInteger(PeerFrame.FrameType.sessionHandoff.rawValue)
            buffer.writeInteger(handoff.requestID)
            buffer.writePeerString(handoff.clientID)
            buffer.writeInteger(UInt8(handoff.isFinal ? 1 : 0))
            switch handoff.outcome {
            case .absent:
                buffer.writeInteger(UInt8(1))
            case .moved(let node):
                buffer.writeInteger(UInt8(2))
                buffer.writePeerString(node)
            case .state(let state):
                buffer.writeInteger(UInt8(3))
                buffer.writeSessionState(state)
            }
        case .sessionRelease(let clientID):
            buffer.writeInteger(PeerFrame.FrameType.sessionRelease.rawValue)
            buffer.writePeerString(clientID)
        case .sessionRegister(let records):
            buffer.writeInteger(PeerFrame.FrameType.sessionRegister.rawValue)
            buffer.writeInteger(UInt32(records.count))
            for record in records { buffer.writeSessionRecord(record) }
        case .sessionEnded(let record):
            buffer.writeInteger(PeerFrame.FrameType.sessionEnded.rawValue)
            buffer.writeSessionRecord(record)
        case .sessionEvict(let clientID, let winner):
            buffer.writeInteger(PeerFrame.FrameType.sessionEvict.rawValue)
            buffer.writePeerString(clientID)
            buffer.writePeerString(winner)
        case .sessionLookup(let requestID, let clientID):
            buffer.writeInteger(PeerFrame.FrameType.sessionLookup.rawValue)
            buffer.writeInteger(requestID)
            buffer.writePeerString(clientID)
        case .sessionLookupReply(let requestID, let holder):
            buffer.writeInteger(PeerFrame.FrameType.sessionLookupReply.rawValue)
            buffer.writeInteger(requestID)
            buffer.writePeerString(holder)
        case .sessionDescribe(let requestID, let clientID):
            buffer.writeInteger(PeerFrame.FrameType.sessionDescribe.rawValue)
            buffer.writeInteger(requestID)
            buffer.writePeerString(clientID)
        case .sessionDescription(let requestID, let description):
            buffer.writeInteger(PeerFrame.FrameType.sessionDescription.rawValue)
            buffer.writeInteger(requestID)
            if let description {
                buffer.writeInteger(UInt8(1))
                buffer.writeSessionDescription(description)
            } else {
                buffer.writeInteger(UInt8(0))
            }
        case .willDeposit(let clientID, let will):
            buffer.writeInteger(PeerFrame.FrameType.willDeposit.rawValue)
            buffer.writePeerString(clientID)
            buffer.writeInteger(will.delay)
            buffer.writeEmbeddedPublish(will.publish)
        case .willWithdraw(let clientID):
            buffer.writeInteger(PeerFrame.FrameType.willWithdraw.rawValue)
            buffer.writePeerString(clientID)
        case .nodeDraining:
            buffer.writeInteger(PeerFrame.FrameType.nodeDraining.rawValue)
        case .mqttListener(let port):
            buffer.writeInteger(PeerFrame.FrameType.mqttListener.rawValue)
            buffer.writeInteger(port)
        default:
            return false
        }
        return true
    }

    /// Reads the body of a session frame of type `type`, or returns nil for any other type.
    static func decodeSessionFrame(
        _ type: PeerFrame.FrameType,
        from body: inout ByteBuffer
    ) throws(PeerFrameError) -> PeerFrame? {
        switch type {
        case .sessionClaim:
            return .sessionClaim(
                PeerFrame.SessionClaim(
                    requestID: try body.readPeerInteger("request id"),
                    clientID: try body.readPeerString("client id"),
                    claimedAt: try body.readPeerInteger("claimed at")
                )
            )
        case .sessionClaimReply:
            return .sessionClaimReply(
                PeerFrame.SessionClaimReply(
                    requestID: try body.readPeerInteger("request id"),
                    previousHolder: try body.readPeerString("previous holder"),
                    generation: try body.readPeerInteger("generation")
                )
            )
        case .sessionFetch:
            let requestID: UInt64 = try body.readPeerInteger("request id")
            let clientID = try body.readPeerString("client id")
            let cleanStart = try body.readPeerBool("clean start")
            let generation: UInt64 = try body.readPeerInteger("generation")
            return .sessionFetch(
                PeerFrame.SessionFetch(
                    requestID: requestID,
                    clientID: clientID,
                    cleanStart: cleanStart,
                    generation: generation
                )
            )
        case .sessionHandoff:
            let requestID: UInt64 = try body.readPeerInteger("request id")
            let clientID = try body.readPeerString("client id")
            let isFinal = try body.readPeerBool("final")
            let kind: UInt8 = try body.readPeerInteger("handoff outcome")
            let outcome: PeerFrame.SessionHandoff.Outcome
            switch kind {
            case 1: outcome = .absent
            case 2: outcome = .moved(to: try body.readPeerString("moved to"))
            case 3: outcome = .state(try body.readSessionState())
            default: throw .invalidValue(field: "handoff outcome", value: UInt64(kind))
            }
            return .sessionHandoff(
                PeerFrame.SessionHandoff(requestID: requestID, clientID: clientID, outcome: outcome, isFinal: isFinal)
            )
        case .sessionRelease:
            return .sessionRelease(clientID: try body.readPeerString("client id"))
        case .sessionRegister:
            let count = try body.readPeerCount("session records", maximum: maximumSessionRecords, minimumSize: 10)
            var records: [PeerFrame.SessionRecord] = []
            records.reserveCapacity(count)
            for _ in 0..<count { records.append(try body.readSessionRecord()) }
            return .sessionRegister(records)
        case .sessionEnded:
            return .sessionEnded(try body.readSessionRecord())
        case .sessionEvict:
            return .sessionEvict(
                clientID: try body.readPeerString("client id"),
                winner: try body.readPeerString("winner")
            )
        case .sessionLookup:
            return .sessionLookup(
                requestID: try body.readPeerInteger("request id"),
                clientID: try body.readPeerString("client id")
            )
        case .sessionLookupReply:
            return .sessionLookupReply(
                requestID: try body.readPeerInteger("request id"),
                holder: try body.readPeerString("holder")
            )
        case .sessionDescribe:
            return .sessionDescribe(
                requestID: try body.readPeerInteger("request id"),
                clientID: try body.readPeerString("client id")
            )
        case .sessionDescription:
            let requestID: UInt64 = try body.readPeerInteger("request id")
            let description = try body.readPeerBool("description present") ? try body.readSessionDescription() : nil
            return .sessionDescription(requestID: requestID, description: description)
        case .willDeposit:
            let clientID = try body.readPeerString("client id")
            let delay: UInt32 = try body.readPeerInteger("will delay")
            return .willDeposit(
                clientID: clientID,
                will: PeerFrame.SessionState.PendingWill(publish: try body.readEmbeddedPublish(), delay: delay)
            )
        case .willWithdraw:
            return .willWithdraw(clientID: try body.readPeerString("client id"))
        case .nodeDraining:
            return .nodeDraining
        case .mqttListener:
            return .mqttListener(port: try body.readPeerInteger("mqtt port"))
        default:
            return nil
        }
    }
}

extension ByteBuffer {
    mutating func readPeerBool(_ field: String) throws(PeerFrameError) -> Bool {
        let byte: UInt8 = try readPeerInteger(field)
        guard byte <= 1 else { throw .invalidValue(field: field, value: UInt64(byte)) }
        return byte == 1
    }

    /// A `UInt32` count, refused above `maximum` or when the rest of the body cannot hold that many
    /// items of at least `minimumSize` bytes: nothing is reserved for a count the bytes do not back.
    mutating func readPeerCount(_ field: String, maximum: Int, minimumSize: Int) throws(PeerFrameError) -> Int {
        let count = Int(try readPeerInteger(field + " count") as UInt32)
        guard count <= maximum, count <= readableBytes / minimumSize else {
            throw .tooMany(field: field, count: count)
        }
        return count
    }

    mutating func writeSessionDescription(_ description: PeerFrame.SessionDescription) {
        writeInteger(UInt8(description.connected ? 1 : 0))
        writePeerString(description.protocolVersion)
        writeInteger(UInt32(description.subscriptions.count))
        for filter in description.subscriptions { writePeerString(filter) }
        writeInteger(description.inflight)
        writeInteger(description.queued)
        writeInteger(description.expiryInterval)
        writeInteger(UInt8(description.hasWill ? 1 : 0))
    }

    mutating func readSessionDescription() throws(PeerFrameError) -> PeerFrame.SessionDescription {
        let connected = try readPeerBool("connected")
        let protocolVersion = try readPeerString("protocol version")
        let count = try readPeerCount("subscriptions", maximum: PeerFrameCodec.maximumSubscriptions, minimumSize: 2)
        var subscriptions: [String] = []
        subscriptions.reserveCapacity(count)
        for _ in 0..<count { subscriptions.append(try readPeerString("filter")) }
        return PeerFrame.SessionDescription(
            connected: connected,
            protocolVersion: protocolVersion,
            subscriptions: subscriptions,
            inflight: try readPeerInteger("inflight"),
            queued: try readPeerInteger("queued"),
            expiryInterval: try readPeerInteger("expiry interval"),
            hasWill: try readPeerBool("has will")
        )
    }

    mutating func writeSessionRecord(_ record: PeerFrame.SessionRecord) {
        writePeerString(record.clientID)
        writeInteger(record.claimedAt)
    }

    mutating func readSessionRecord() throws(PeerFrameError) -> PeerFrame.SessionRecord {
        PeerFrame.SessionRecord(
            clientID: try readPeerString("client id"),
            claimedAt: try readPeerInteger("claimed at")
        )
    }

    mutating func writeSessionState(_ state: PeerFrame.SessionState) {
        writeInteger(UInt32(state.subscriptions.count))
        for subscription in state.subscriptions {
            writePeerString(subscription.filter)
            let options = subscription.options
            let optionsByte =
                options.qos.rawValue | (options.noLocal ? 0x04 : 0) | (options.retainAsPublished ? 0x08 : 0)
                | options.retainHandling.rawValue << 4
            writeInteger(optionsByte)
            writeInteger(subscription.subscriptionIdentifier ?? 0)
        }
        writeInteger(UInt32(state.awaitingRelease.count))
        for packetID in state.awaitingRelease { writeInteger(packetID) }
        writeInteger(state.lastPacketID)
        writeInteger(UInt32(state.inflight.count))
        for entry in state.inflight {
            writeInteger(entry.packetID)
            writeInteger(entry.stage.rawValue)
            writeDelivery(entry.delivery)
        }
        writeInteger(UInt32(state.queued.count))
        for delivery in state.queued { writeDelivery(delivery) }
        writeInteger(state.expiryInterval)
        if let will = state.will {
            writeInteger(UInt8(1))
            writeInteger(will.delay)
            writeEmbeddedPublish(will.publish)
        } else {
            writeInteger(UInt8(0))
        }
        writeInteger(state.claimedAt)
    }

    mutating func readSessionState() throws(PeerFrameError) -> PeerFrame.SessionState {
        var state = PeerFrame.SessionState()
        let subscriptionCount = try readPeerCount(
            "subscriptions",
            maximum: PeerFrameCodec.maximumSubscriptions,
            minimumSize: 7
        )
        state.subscriptions.reserveCapacity(subscriptionCount)
        for _ in 0..<subscriptionCount {
            let filter = try readPeerString("filter")
            let optionsByte: UInt8 = try readPeerInteger("subscription options")
            guard let qos = QoS(rawValue: optionsByte & 0x03),
                let retainHandling = MQTTPacket.RetainHandling(rawValue: (optionsByte >> 4) & 0x03),
                optionsByte & 0xC0 == 0
            else {
                throw .invalidValue(field: "subscription options", value: UInt64(optionsByte))
            }
            let identifier: UInt32 = try readPeerInteger("subscription identifier")
            state.subscriptions.append(
                PeerFrame.SessionState.Subscription(
                    filter: filter,
                    options: MQTTPacket.SubscriptionOptions(
                        qos: qos,
                        noLocal: optionsByte & 0x04 != 0,
                        retainAsPublished: optionsByte & 0x08 != 0,
                        retainHandling: retainHandling
                    ),
                    subscriptionIdentifier: identifier == 0 ? nil : identifier
                )
            )
        }
        let releaseCount = try readPeerCount("awaiting release", maximum: 65_535, minimumSize: 2)
        state.awaitingRelease.reserveCapacity(releaseCount)
        for _ in 0..<releaseCount { state.awaitingRelease.append(try readPeerInteger("packet id")) }
        state.lastPacketID = try readPeerInteger("last packet id")
        let inflightCount = try readPeerCount("inflight", maximum: 65_535, minimumSize: 24)
        state.inflight.reserveCapacity(inflightCount)
        for _ in 0..<inflightCount {
            let packetID: UInt16 = try readPeerInteger("packet id")
            let stageByte: UInt8 = try readPeerInteger("inflight stage")
            guard let stage = PeerFrame.SessionState.InflightDelivery.Stage(rawValue: stageByte) else {
                throw .invalidValue(field: "inflight stage", value: UInt64(stageByte))
            }
            state.inflight.append(.init(packetID: packetID, stage: stage, delivery: try readDelivery()))
        }
        let queuedCount = try readPeerCount("queued", maximum: PeerFrameCodec.maximumMessages, minimumSize: 21)
        state.queued.reserveCapacity(queuedCount)
        for _ in 0..<queuedCount { state.queued.append(try readDelivery()) }
        state.expiryInterval = try readPeerInteger("expiry interval")
        if try readPeerBool("will present") {
            let delay: UInt32 = try readPeerInteger("will delay")
            state.will = PeerFrame.SessionState.PendingWill(publish: try readEmbeddedPublish(), delay: delay)
        }
        state.claimedAt = try readPeerInteger("claimed at")
        return state
    }

    mutating func writeOrigin(_ origin: PeerFrame.Origin) {
        writeInteger(origin.bootID)
        writeInteger(origin.sequence)
    }

    mutating func readOrigin() throws(PeerFrameError) -> PeerFrame.Origin {
        PeerFrame.Origin(bootID: try readPeerInteger("origin boot"), sequence: try readPeerInteger("origin sequence"))
    }

    mutating func writeSubscriptionIdentifiers(_ identifiers: [UInt32]) {
        writeInteger(
            UInt8(truncatingIfNeeded: min(identifiers.count, PeerFrameCodec.maximumSubscriptionIdentifiers - 1))
        )
        for identifier in identifiers.prefix(PeerFrameCodec.maximumSubscriptionIdentifiers - 1) {
            writeInteger(identifier)
        }
    }

    mutating func readSubscriptionIdentifiers() throws(PeerFrameError) -> [UInt32] {
        let count = Int(try readPeerInteger("subscription identifier count") as UInt8)
        guard count * 4 <= readableBytes else { throw .truncated(field: "subscription identifiers") }
        var identifiers: [UInt32] = []
        identifiers.reserveCapacity(count)
        for _ in 0..<count { identifiers.append(try readPeerInteger("subscription identifier")) }
        return identifiers
    }

    mutating func writeDelivery(_ delivery: PeerFrame.Delivery) {
        writeOrigin(delivery.origin)
        writeInteger(delivery.qos.rawValue | (delivery.retain ? 0x80 : 0))
        writeSubscriptionIdentifiers(delivery.subscriptionIdentifiers)
        writeEmbeddedPublish(delivery.publish)
    }

    mutating func readDelivery() throws(PeerFrameError) -> PeerFrame.Delivery {
        let origin = try readOrigin()
        let flags: UInt8 = try readPeerInteger("delivery flags")
        guard let qos = QoS(rawValue: flags & 0x03), flags & 0x7C == 0 else {
            throw .invalidValue(field: "delivery flags", value: UInt64(flags))
        }
        return PeerFrame.Delivery(
            origin: origin,
            qos: qos,
            retain: flags & 0x80 != 0,
            subscriptionIdentifiers: try readSubscriptionIdentifiers(),
            publish: try readEmbeddedPublish()
        )
    }
}
