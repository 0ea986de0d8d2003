import MQTTCodec
import NIOCore

/// Reads and writes ``PeerFrame``s (layout in cluster/PROTOCOL.md).
///
/// Big-endian integers; strings are a `UInt16` length then UTF-8; byte strings a `UInt32` length. Every
/// length and count is checked against the bytes left and against a cap before anything is allocated;
/// errors are thrown as ``PeerFrameError`` and nothing traps.
public enum PeerFrameCodec {
    /// `S` `T` `R` `L`: the first four bytes of a peer link. As a push-pull length it would exceed that
    /// protocol's cap, so one TCP port serves both and the first bytes tell them apart.
    public static let magic: [UInt8] = Array("STRL".utf8)
    /// Version 2 added message origins and the session frames; version 1 peers are refused.
    public static let minimumVersion: UInt8 = 2
    public static let maximumVersion: UInt8 = 2
    /// A frame's length field may not exceed this: 16 MiB, room for a large route snapshot.
    public static let maximumFrameLength = 16 * 1024 * 1024
    public static let nonceLength = 16
    public static let proofLength = 32
    static let maximumStringLength = 65_535
    static let maximumRoutes = 4_000_000
    static let maximumMessages = 65_536

    // MARK: Encoding

    /// Appends `length ‖ type ‖ body` to `buffer`.
    public static func encode(_ frame: PeerFrame, into buffer: inout ByteBuffer) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        switch frame {
        case .hello(let hello):
            buffer.writeInteger(PeerFrame.FrameType.hello.rawValue)
            buffer.writeInteger(hello.minimumVersion)
            buffer.writeInteger(hello.maximumVersion)
            buffer.writePeerString(hello.clusterName)
            buffer.writePeerString(hello.nodeName)
            buffer.writeInteger(hello.bootID)
            buffer.writeBytes(hello.nonce)
        case .authenticate(let authenticate):
            buffer.writeInteger(PeerFrame.FrameType.authenticate.rawValue)
            buffer.writeInteger(authenticate.version)
            buffer.writeBytes(authenticate.proof)
        case .routeSnapshot(let snapshot):
            buffer.writeInteger(PeerFrame.FrameType.routeSnapshot.rawValue)
            buffer.writeInteger(snapshot.bootID)
            buffer.writeInteger(snapshot.sequence)
            buffer.writeInteger(UInt32(snapshot.routes.count))
            for route in snapshot.routes { buffer.writeRoute(route) }
        case .routeDelta(let delta):
            buffer.writeInteger(PeerFrame.FrameType.routeDelta.rawValue)
            buffer.writeInteger(delta.bootID)
            buffer.writeInteger(delta.sequence)
            buffer.writeInteger(delta.change.rawValue)
            buffer.writeRoute(delta.route)
        case .snapshotRequest:
            buffer.writeInteger(PeerFrame.FrameType.snapshotRequest.rawValue)
        case .routeAck(let sequence):
            buffer.writeInteger(PeerFrame.FrameType.routeAck.rawValue)
            buffer.writeInteger(sequence)
        case .forward(let batch):
            buffer.writeInteger(PeerFrame.FrameType.forward.rawValue)
            buffer.writeInteger(UInt32(batch.messages.count))
            for message in batch.messages { buffer.writeForwarded(message) }
        case .forwardAck(let upTo):
            buffer.writeInteger(PeerFrame.FrameType.forwardAck.rawValue)
            buffer.writeInteger(upTo)
        case .ping:
            buffer.writeInteger(PeerFrame.FrameType.ping.rawValue)
        case .pong:
            buffer.writeInteger(PeerFrame.FrameType.pong.rawValue)
        case .retainedUpdates(let updates):
            buffer.writeInteger(PeerFrame.FrameType.retainedUpdates.rawValue)
            buffer.writeRetainedUpdates(updates)
        case .retainedSnapshot(let snapshot):
            buffer.writeInteger(PeerFrame.FrameType.retainedSnapshot.rawValue)
            buffer.writeRetainedSnapshot(snapshot)
        case .unknown(let type):
            buffer.writeInteger(type)
        default:
            let written = encodeSessionFrame(frame, into: &buffer)
            assert(written, "every frame has a layout")
        }
        buffer.setInteger(UInt32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    // MARK: Decoding

    /// Decodes one frame from the front of `buffer`, or returns nil (consuming nothing) when it is not all
    /// there yet. A length above ``maximumFrameLength`` is an error before any of the body is awaited.
    public static func decode(from buffer: inout ByteBuffer) throws(PeerFrameError) -> PeerFrame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map(Int.init) else {
            return nil
        }
        guard length <= maximumFrameLength else {
            throw .frameTooLarge(length: length, maximum: maximumFrameLength)
        }
        guard buffer.readableBytes >= 4 + length else { return nil }
        guard length > 0 else { throw .emptyFrame }
        buffer.moveReaderIndex(forwardBy: 4)
        var body = buffer.readSlice(length: length)!
        let type = body.readInteger(as: UInt8.self)!
        let frame = try decodeBody(type: type, from: &body)
        if case .unknown = frame { return frame }  // a newer peer's frame: its body is skipped whole
        guard body.readableBytes == 0 else { throw .trailingBytes(body.readableBytes) }
        return frame
    }

    static func decodeBody(type: UInt8, from body: inout ByteBuffer) throws(PeerFrameError) -> PeerFrame {
        guard let known = PeerFrame.FrameType(rawValue: type) else { return .unknown(type: type) }
        switch known {
        case .hello:
            let minimumVersion: UInt8 = try body.readPeerInteger("minimum version")
            let maximumVersion: UInt8 = try body.readPeerInteger("maximum version")
            let clusterName = try body.readPeerString("cluster name")
            let nodeName = try body.readPeerString("node name")
            let bootID: UInt64 = try body.readPeerInteger("boot id")
            guard body.readableBytes >= nonceLength else { throw .badNonce(length: body.readableBytes) }
            let nonce = body.readBytes(length: nonceLength)!
            return .hello(
                PeerFrame.Hello(
                    minimumVersion: minimumVersion,
                    maximumVersion: maximumVersion,
                    clusterName: clusterName,
                    nodeName: nodeName,
                    bootID: bootID,
                    nonce: nonce
                )
            )
        case .authenticate:
            let version: UInt8 = try body.readPeerInteger("version")
            guard body.readableBytes >= proofLength else { throw .badProof(length: body.readableBytes) }
            return .authenticate(PeerFrame.Authenticate(version: version, proof: body.readBytes(length: proofLength)!))
        case .routeSnapshot:
            let bootID: UInt64 = try body.readPeerInteger("boot id")
            let sequence: UInt64 = try body.readPeerInteger("sequence")
            let count = Int(try body.readPeerInteger("route count") as UInt32)
            // Each route takes at least 3 bytes: never reserve for more than the body can hold.
            guard count <= maximumRoutes, count <= body.readableBytes / 3 else {
                throw .tooMany(field: "routes", count: count)
            }
            var routes: [PeerFrame.Route] = []
            routes.reserveCapacity(count)
            for _ in 0..<count { routes.append(try body.readRoute()) }
            return .routeSnapshot(PeerFrame.RouteSnapshot(bootID: bootID, sequence: sequence, routes: routes))
        case .routeDelta:
            let bootID: UInt64 = try body.readPeerInteger("boot id")
            let sequence: UInt64 = try body.readPeerInteger("sequence")
            let changeByte: UInt8 = try body.readPeerInteger("change")
            guard let change = PeerFrame.RouteDelta.Change(rawValue: changeByte) else {
                throw .invalidValue(field: "change", value: UInt64(changeByte))
            }
            return .routeDelta(
                PeerFrame.RouteDelta(bootID: bootID, sequence: sequence, change: change, route: try body.readRoute())
            )
        case .snapshotRequest:
            return .snapshotRequest
        case .routeAck:
            return .routeAck(sequence: try body.readPeerInteger("route sequence"))
        case .forward:
            let count = Int(try body.readPeerInteger("message count") as UInt32)
            guard count <= maximumMessages, count <= body.readableBytes / 30 else {
                throw .tooMany(field: "messages", count: count)
            }
            var messages: [PeerFrame.ForwardedMessage] = []
            messages.reserveCapacity(count)
            for _ in 0..<count { messages.append(try body.readForwarded()) }
            return .forward(PeerFrame.ForwardBatch(messages: messages))
        case .forwardAck:
            return .forwardAck(upTo: try body.readPeerInteger("acknowledged id"))
        case .ping:
            return .ping
        case .pong:
            return .pong
        case .retainedUpdates:
            return .retainedUpdates(try body.readRetainedUpdates())
        case .retainedSnapshot:
            return .retainedSnapshot(try body.readRetainedSnapshot())
        default:
            guard let frame = try decodeSessionFrame(known, from: &body) else { return .unknown(type: type) }
            return frame
        }
    }
}

extension ByteBuffer {
    mutating func writePeerString(_ string: String) {
        // A longer string would get a wrapped-around length and the peer would read the rest of it as the
        // following fields. Every string sent is an MQTT string or a configured name, both at most this long.
        precondition(string.utf8.count <= PeerFrameCodec.maximumStringLength, "peer string longer than 65,535 bytes")
        let lengthIndex = writerIndex
        writeInteger(UInt16(0))
        let written = writeString(string)
        setInteger(UInt16(truncatingIfNeeded: written), at: lengthIndex)
    }

    mutating func readPeerInteger<T: FixedWidthInteger>(_ field: String) throws(PeerFrameError) -> T {
        guard let value = readInteger(as: T.self) else { throw .truncated(field: field) }
        return value
    }

    mutating func readPeerString(_ field: String) throws(PeerFrameError) -> String {
        let length = Int(try readPeerInteger(field) as UInt16)
        guard let bytes = readSlice(length: length) else { throw .truncated(field: field) }
        guard let string = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            throw .invalidUTF8(field: field)
        }
        return string
    }

    mutating func writeRoute(_ route: PeerFrame.Route) {
        switch route {
        case .filter(let filter):
            writeInteger(UInt8(1))
            writePeerString(filter)
        case .sharedMember(let group, let filter, let clientID):
            writeInteger(UInt8(2))
            writePeerString(group)
            writePeerString(filter)
            writePeerString(clientID)
        case .exclusive(let topic, let clientID, let grantedAt):
            writeInteger(UInt8(3))
            writePeerString(topic)
            writePeerString(clientID)
            writeInteger(grantedAt)
        }
    }

    mutating func readRoute() throws(PeerFrameError) -> PeerFrame.Route {
        let kind: UInt8 = try readPeerInteger("route kind")
        switch kind {
        case 1:
            return .filter(try readPeerString("filter"))
        case 2:
            return .sharedMember(
                group: try readPeerString("share name"),
                filter: try readPeerString("filter"),
                clientID: try readPeerString("client id")
            )
        case 3:
            return .exclusive(
                topic: try readPeerString("exclusive topic"),
                clientID: try readPeerString("client id"),
                grantedAt: try readPeerInteger("granted at")
            )
        default:
            throw .invalidValue(field: "route kind", value: UInt64(kind))
        }
    }

    mutating func writeForwarded(_ message: PeerFrame.ForwardedMessage) {
        writeInteger(message.id)
        writeOrigin(message.origin)
        writeInteger(message.hops)
        switch message.target {
        case .subscribers:
            writeInteger(UInt8(1))
        case .sharedMember(let group, let filter, let clientID):
            writeInteger(UInt8(2))
            writePeerString(group)
            writePeerString(filter)
            writePeerString(clientID)
        case .session(let clientID, let qos, let retain, let subscriptionIdentifiers):
            writeInteger(UInt8(3))
            writePeerString(clientID)
            writeInteger(qos.rawValue | (retain ? 0x80 : 0))
            writeSubscriptionIdentifiers(subscriptionIdentifiers)
        }
        writeEmbeddedPublish(message.publish)
    }

    mutating func readForwarded() throws(PeerFrameError) -> PeerFrame.ForwardedMessage {
        let id: UInt64 = try readPeerInteger("forward id")
        let origin = try readOrigin()
        let hops: UInt8 = try readPeerInteger("hops")
        let targetKind: UInt8 = try readPeerInteger("target")
        let target: PeerFrame.ForwardedMessage.Target
        switch targetKind {
        case 1:
            target = .subscribers
        case 2:
            target = .sharedMember(
                group: try readPeerString("share name"),
                filter: try readPeerString("filter"),
                clientID: try readPeerString("client id")
            )
        case 3:
            let clientID = try readPeerString("client id")
            let flags: UInt8 = try readPeerInteger("delivery flags")
            guard let qos = QoS(rawValue: flags & 0x03), flags & 0x7C == 0 else {
                throw .invalidValue(field: "delivery flags", value: UInt64(flags))
            }
            target = .session(
                clientID: clientID,
                qos: qos,
                retain: flags & 0x80 != 0,
                subscriptionIdentifiers: try readSubscriptionIdentifiers()
            )
        default:
            throw .invalidValue(field: "target", value: UInt64(targetKind))
        }
        let publish = try readEmbeddedPublish()
        return PeerFrame.ForwardedMessage(id: id, origin: origin, target: target, publish: publish, hops: hops)
    }

    /// A PUBLISH as MQTT 5.0 encodes it, behind a `UInt32` length.
    mutating func writeEmbeddedPublish(_ publish: MQTTPacket.Publish) {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        let start = writerIndex
        var publish = publish
        if publish.qos != .atMostOnce, publish.packetID == nil { publish.packetID = 1 }
        MQTTPacket.publish(publish).encode(version: .v5, into: &self)
        setInteger(UInt32(writerIndex - start), at: lengthIndex)
    }

    mutating func readEmbeddedPublish() throws(PeerFrameError) -> MQTTPacket.Publish {
        let length = Int(try readPeerInteger("publish length") as UInt32)
        guard var packetBytes = readSlice(length: length) else { throw .truncated(field: "publish") }
        var decoder = MQTTPacketDecoder(maximumPacketSize: PeerFrameCodec.maximumFrameLength, protocolVersion: .v5)
        let packet: MQTTPacket?
        do {
            packet = try decoder.decode(buffer: &packetBytes)
        } catch {
            throw .invalidPublish("\(error)")
        }
        guard case .publish(let publish)? = packet, packetBytes.readableBytes == 0 else {
            throw .invalidPublish("not exactly one PUBLISH")
        }
        return publish
    }
}
