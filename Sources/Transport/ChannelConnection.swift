import Broker
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore

/// The session's view of one TCP (or TLS, WebSocket) connection: encodes packets and
/// writes them, flushing once per event loop tick.
///
/// `@unchecked Sendable`: `protocolVersion`, `maximumPacketSize` and `topicAliasMaximum`
/// are set once before the session sees the connection; the alias table and flags are
/// touched only on `channel.eventLoop` (every entry point hops there first).
final class ChannelConnection: SessionConnection, @unchecked Sendable {
    let channel: any Channel
    let protocolVersion: ProtocolVersion
    let maximumPacketSize: Int
    /// How many topic aliases the client accepts from us (its Topic Alias Maximum).
    private let topicAliasMaximum: UInt16
    private var outboundAliases: [String: UInt16] = [:]
    private var flushScheduled = false
    private var isClosing = false

    init(channel: any Channel, negotiated: NegotiatedConnect) {
        self.channel = channel
        self.protocolVersion = negotiated.protocolVersion
        self.maximumPacketSize = negotiated.clientMaximumPacketSize
        self.topicAliasMaximum = negotiated.protocolVersion == .v5 ? negotiated.clientTopicAliasMaximum : 0
    }

    var isWritable: Bool { channel.isWritable }

    func send(_ packet: MQTTPacket) {
        if channel.eventLoop.inEventLoop {
            write(packet)
        } else {
            channel.eventLoop.execute { self.write(packet) }
        }
    }

    func close(reason: ReasonCode?, serverReference: String?) {
        if channel.eventLoop.inEventLoop {
            closeNow(reason: reason, serverReference: serverReference)
        } else {
            channel.eventLoop.execute { self.closeNow(reason: reason, serverReference: serverReference) }
        }
    }

    private func write(_ packet: MQTTPacket) {
        guard !isClosing else { return }
        var packet = packet
        if topicAliasMaximum > 0, case .publish(var publish) = packet {
            applyTopicAlias(&publish)
            packet = .publish(publish)
        }
        var buffer = channel.allocator.buffer(capacity: packet.encodedSize(version: protocolVersion))
        packet.encode(version: protocolVersion, into: &buffer)
        channel.write(buffer, promise: nil)
        scheduleFlush()
    }

    /// Replaces a topic we already gave an alias by that alias, or gives it one while
    /// aliases are left [MQTT-3.3.2-… 5.0 §3.3.2.3.4]. Aliases never change once given.
    private func applyTopicAlias(_ publish: inout MQTTPacket.Publish) {
        if let alias = outboundAliases[publish.topic] {
            publish.topic = ""
            publish.properties.topicAlias = alias
        } else if outboundAliases.count < Int(topicAliasMaximum) {
            let alias = UInt16(outboundAliases.count + 1)
            outboundAliases[publish.topic] = alias
            publish.properties.topicAlias = alias
        }
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        channel.eventLoop.execute {
            self.flushScheduled = false
            self.channel.flush()
        }
    }

    /// Writes DISCONNECT (5.0 only [MQTT-3.14.0-1]) and closes once it is flushed.
    func closeNow(reason: ReasonCode?, serverReference: String?) {
        guard !isClosing else { return }
        isClosing = true
        guard protocolVersion == .v5, let reason else {
            channel.close(promise: nil)
            return
        }
        var properties = MQTTProperties()
        if let serverReference { properties.serverReference = serverReference }
        let packet = MQTTPacket.disconnect(MQTTPacket.Disconnect(reasonCode: reason, properties: properties))
        var buffer = channel.allocator.buffer(capacity: packet.encodedSize(version: protocolVersion))
        packet.encode(version: protocolVersion, into: &buffer)
        let channel = self.channel
        // Half-close after the DISCONNECT, then close a moment later: a client still sending (PUBACKs under
        // load) would otherwise get a reset that can discard the DISCONNECT before it reads it.
        channel.writeAndFlush(buffer).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: Self.lingerAfterDisconnect) { channel.close(promise: nil) }
        }
    }

    /// How long a connection told to go stays half-open for the client to read why and close.
    static let lingerAfterDisconnect = TimeAmount.seconds(1)
}
