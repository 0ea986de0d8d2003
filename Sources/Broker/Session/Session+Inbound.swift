import MQTTCodec
import NIOCore
import Topics

extension Session {
    /// Handles a packet the client sent after CONNECT. Packets from a connection that is
    /// no longer attached (taken over) are ignored.
    func received(_ packet: MQTTPacket, from sender: any SessionConnection) {
        shard.eventLoop.assertInEventLoop()
        guard sender === connection, let connection else { return }
        switch packet {
        case .publish(let publish):
            receivedPublish(publish, connection: connection)
        case .pubAck(let ack):
            acknowledged(outbound.receivedPubAck(ack.packetID), packetID: ack.packetID)
        case .pubRec(let rec):
            acknowledged(outbound.receivedPubRec(rec.packetID, reasonCode: rec.reasonCode), packetID: rec.packetID)
        case .pubComp(let comp):
            acknowledged(outbound.receivedPubComp(comp.packetID), packetID: comp.packetID)
        case .pubRel(let rel):
            // [MQTT-4.3.3-11] Release the identifier and answer PUBCOMP even if it was unknown.
            let known = inboundQoS2.remove(rel.packetID) != nil
            connection.send(
                .pubComp(
                    MQTTPacket.PubComp(
                        packetID: rel.packetID,
                        reasonCode: known || connection.protocolVersion != .v5 ? .success : .packetIdentifierNotFound
                    )
                )
            )
        case .subscribe(let subscribe):
            receivedSubscribe(subscribe, connection: connection)
        case .unsubscribe(let unsubscribe):
            receivedUnsubscribe(unsubscribe, connection: connection)
        case .disconnect(let disconnect):
            receivedDisconnect(disconnect, connection: connection)
        case .auth:
            // No enhanced authentication was negotiated, so AUTH is a protocol error [MQTT-4.12.0-1].
            closeConnection(.protocolError, "AUTH without authentication method")
        case .connect:
            // [MQTT-3.1.0-2] A second CONNECT is a protocol error.
            closeConnection(.protocolError, "second CONNECT")
        case .connAck, .subAck, .unsubAck, .pingResp, .pingReq:
            closeConnection(.protocolError, "unexpected packet from client")
        }
    }

    private func acknowledged(_ action: OutboundFlow.AcknowledgementAction, packetID: UInt16) {
        switch action {
        case .released:
            drainQueue()
        case .sendPubRel(let id):
            connection?.send(.pubRel(MQTTPacket.PubRel(packetID: id)))
        case .unknownPacketID:
            // 3.1.1 and 5.0 tolerate acknowledgements of unknown identifiers (e.g. after a resend).
            break
        }
    }

    // MARK: PUBLISH

    private func receivedPublish(_ publish: MQTTPacket.Publish, connection: any SessionConnection) {
        shard.statistics.messagesReceived &+= 1
        let isV5 = connection.protocolVersion == .v5
        let topic: TopicName
        if isV5, let alias = publish.properties.topicAlias {
            // [MQTT-3.3.2-9] An alias must be 1…Topic Alias Maximum.
            guard alias >= 1, alias <= settings.topicAliasMaximum else {
                return closeConnection(.topicAliasInvalid, "topic alias \(alias) out of range")
            }
            if publish.topic.isEmpty {
                guard let known = inboundTopicAliases[alias] else {
                    return closeConnection(.protocolError, "unknown topic alias \(alias)")
                }
                topic = known
            } else {
                guard let named = try? TopicName(validating: publish.topic) else {
                    return closeConnection(.topicNameInvalid, "invalid topic name")
                }
                inboundTopicAliases[alias] = named
                topic = named
            }
        } else {
            guard let named = try? TopicName(validating: publish.topic) else {
                return closeConnection(.topicNameInvalid, "invalid topic name")
            }
            topic = named
        }
        // [MQTT-3.2.2-11] A QoS above Maximum QoS is a protocol violation.
        guard publish.qos <= settings.maximumQoS else {
            return closeConnection(.qosNotSupported, "QoS above maximum QoS")
        }
        // [MQTT-3.2.2-14] RETAIN when Retain Available is 0.
        guard !publish.retain || settings.retainAvailable else {
            return closeConnection(.retainNotSupported, "retain not available")
        }
        if isV5, publish.properties.payloadFormatIndicator == 1, !PayloadFormat.isValidUTF8(publish.payload) {
            // 5.0 §3.3.2.3.2: a receiver may refuse a payload that is not the UTF-8 it claims to be.
            switch publish.qos {
            case .atMostOnce:
                return closeConnection(.payloadFormatInvalid, "payload is not UTF-8")
            case .atLeastOnce:
                connection.send(
                    .pubAck(MQTTPacket.PubAck(packetID: publish.packetID!, reasonCode: .payloadFormatInvalid))
                )
                return
            case .exactlyOnce:
                connection.send(
                    .pubRec(MQTTPacket.PubRec(packetID: publish.packetID!, reasonCode: .payloadFormatInvalid))
                )
                return
            }
        }

        switch publish.qos {
        case .atMostOnce:
            route(publish, topic: topic)
        case .atLeastOnce:
            route(publish, topic: topic)
            connection.send(.pubAck(MQTTPacket.PubAck(packetID: publish.packetID!)))
        case .exactlyOnce:
            let packetID = publish.packetID!
            if !inboundQoS2.contains(packetID) {
                // [MQTT-3.3.4-7/8] More unacknowledged QoS 2 publishes than Receive Maximum.
                guard inboundQoS2.count < Int(settings.receiveMaximum) else {
                    return closeConnection(.receiveMaximumExceeded, "receive maximum exceeded")
                }
                inboundQoS2.insert(packetID)
                route(publish, topic: topic)
            }
            connection.send(.pubRec(MQTTPacket.PubRec(packetID: packetID)))
        }
    }

    private func route(_ publish: MQTTPacket.Publish, topic: TopicName) {
        var properties = publish.properties
        var expiresAt: NIODeadline?
        if !properties.isEmpty {
            if let expiry = properties.messageExpiryInterval {
                expiresAt = .now() + .seconds(Int64(expiry))
            }
            // Per-hop properties are rewritten for each subscriber [MQTT-3.3.2-… 5.0 §3.3.4].
            properties.removeAll(identifier: 0x02)  // message expiry interval
            properties.removeAll(identifier: 0x23)  // topic alias
            properties.removeAll(identifier: 0x0B)  // subscription identifier
        }
        let message = Message(
            topic: topic,
            payload: publish.payload,
            qos: publish.qos,
            retain: publish.retain,
            properties: properties,
            expiresAt: expiresAt,
            publisherSessionID: id,
            origin: shard.nextOrigin()
        )
        broker.publish(message, publisherClientID: clientID, on: shard)
    }

    // MARK: DISCONNECT

    private func receivedDisconnect(_ disconnect: MQTTPacket.Disconnect, connection: any SessionConnection) {
        if connection.protocolVersion == .v5, let expiry = disconnect.properties.sessionExpiryInterval {
            // [MQTT-3.14.2-2] A session that was to end with the connection cannot be revived here.
            if negotiated.requestedSessionExpiry == 0, expiry != 0 {
                return closeConnection(.protocolError, "session expiry set on DISCONNECT after 0 at CONNECT")
            }
            negotiated.sessionExpiryInterval = min(expiry, settings.maximumSessionExpiry)
        }
        // [MQTT-3.14.4-3] A normal DISCONNECT discards the will; 0x04 asks for it to be sent.
        if disconnect.reasonCode != .disconnectWithWillMessage {
            will = nil
        }
        connection.close(reason: nil, serverReference: nil)
    }
}
