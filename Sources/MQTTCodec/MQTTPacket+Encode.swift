import NIOCore

extension MQTTPacket {
    /// The packet type written in the fixed header.
    public var packetType: PacketType {
        switch self {
        case .connect: .connect
        case .connAck: .connAck
        case .publish: .publish
        case .pubAck: .pubAck
        case .pubRec: .pubRec
        case .pubRel: .pubRel
        case .pubComp: .pubComp
        case .subscribe: .subscribe
        case .subAck: .subAck
        case .unsubscribe: .unsubscribe
        case .unsubAck: .unsubAck
        case .pingReq: .pingReq
        case .pingResp: .pingResp
        case .disconnect: .disconnect
        case .auth: .auth
        }
    }

    /// Writes the packet as `version` puts it on the wire.
    ///
    /// Fields a version cannot carry are left out: 3.x packets have no properties, no reason
    /// codes in PUBACK…PUBCOMP, DISCONNECT and UNSUBACK, and SUBSCRIBE options carry only the
    /// QoS. 3.x CONNACK maps the reason code to a return code (0x84→1, 0x85→2, 0x86→4, 0x87→5,
    /// any other failure →3) and 3.x SUBACK writes any failure as 0x80. 5.0 uses the short
    /// forms when the reason code is 0x00 and there are no properties.
    ///
    /// - Precondition: the packet fits MQTT's limits (strings and binary data up to 65,535
    ///   bytes, remaining length up to 268,435,455), a PUBLISH at QoS 1 or 2 has a packet
    ///   identifier, and AUTH is encoded only for 5.0.
    @inlinable
    public func encode(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        switch self {
        case .publish(let publish): publish.encode(version: version, into: &buffer)
        default: encodeOther(version: version, into: &buffer)
        }
    }

    /// The total bytes `encode(version:into:)` writes, fixed header included: what a server
    /// compares with the Maximum Packet Size its client declared.
    @inlinable
    public func encodedSize(version: ProtocolVersion) -> Int {
        switch self {
        case .publish(let publish): publish.encodedSize(version: version)
        default: encodedSizeOfOther(version: version)
        }
    }

    @usableFromInline
    func encodeOther(version: ProtocolVersion, into buffer: inout ByteBuffer) {
        switch self {
        case .connect(let connect): connect.encode(version: version, into: &buffer)
        case .connAck(let connAck): connAck.encode(version: version, into: &buffer)
        case .publish(let publish): publish.encode(version: version, into: &buffer)
        case .pubAck(let pubAck): pubAck.fields.encode(.pubAck, version: version, into: &buffer)
        case .pubRec(let pubRec): pubRec.fields.encode(.pubRec, version: version, into: &buffer)
        // [MQTT-3.6.1-1] PUBREL fixed header flags 0b0010.
        case .pubRel(let pubRel): pubRel.fields.encode(.pubRel, flags: 0b0010, version: version, into: &buffer)
        case .pubComp(let pubComp): pubComp.fields.encode(.pubComp, version: version, into: &buffer)
        case .subscribe(let subscribe): subscribe.encode(version: version, into: &buffer)
        case .subAck(let subAck): subAck.encode(version: version, into: &buffer)
        case .unsubscribe(let unsubscribe): unsubscribe.encode(version: version, into: &buffer)
        case .unsubAck(let unsubAck): unsubAck.encode(version: version, into: &buffer)
        case .pingReq: buffer.writeMQTTFixedHeader(type: .pingReq, remainingLength: 0)
        case .pingResp: buffer.writeMQTTFixedHeader(type: .pingResp, remainingLength: 0)
        case .disconnect(let disconnect): disconnect.encode(version: version, into: &buffer)
        case .auth(let auth): auth.encode(version: version, into: &buffer)
        }
    }

    @usableFromInline
    func encodedSizeOfOther(version: ProtocolVersion) -> Int {
        switch self {
        case .connect(let connect): connect.encodedSize(version: version)
        case .connAck(let connAck): connAck.encodedSize(version: version)
        case .publish(let publish): publish.encodedSize(version: version)
        case .pubAck(let pubAck): pubAck.fields.encodedSize(version: version)
        case .pubRec(let pubRec): pubRec.fields.encodedSize(version: version)
        case .pubRel(let pubRel): pubRel.fields.encodedSize(version: version)
        case .pubComp(let pubComp): pubComp.fields.encodedSize(version: version)
        case .subscribe(let subscribe): subscribe.encodedSize(version: version)
        case .subAck(let subAck): subAck.encodedSize(version: version)
        case .unsubscribe(let unsubscribe): unsubscribe.encodedSize(version: version)
        case .unsubAck(let unsubAck): unsubAck.encodedSize(version: version)
        case .pingReq, .pingResp: 2
        case .disconnect(let disconnect): disconnect.encodedSize(version: version)
        case .auth(let auth): auth.encodedSize(version: version)
        }
    }
}
