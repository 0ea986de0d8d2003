import MQTTCodec
import NIOCore
import Topics

/// What the broker and a client agreed on in CONNECT/CONNACK. Pure: computed from the
/// CONNECT packet and the broker's settings, with no session or socket involved.
public struct NegotiatedConnect: Sendable {
    public var protocolVersion: ProtocolVersion
    public var clientID: String
    /// Set when the broker made up the client identifier [MQTT-3.1.3-6].
    public var assignedClientID: Bool
    public var cleanStart: Bool
    /// Seconds; 0 disables the keep alive check.
    public var keepAlive: UInt16
    /// Announced as Server Keep Alive when it differs from what the client asked for.
    public var serverKeepAlive: UInt16?
    /// Seconds the session outlives the connection; `UInt32.max` means never expire.
    public var sessionExpiryInterval: UInt32
    /// The client's Receive Maximum: our outbound window.
    public var clientReceiveMaximum: UInt16
    public var clientMaximumPacketSize: Int
    public var clientTopicAliasMaximum: UInt16
    public var requestProblemInformation: Bool
    public var will: WillMessage?
    public var username: String?

    /// The CONNACK properties a 5.0 client is told.
    public func connAckProperties(settings: BrokerSettings) -> MQTTProperties {
        guard protocolVersion == .v5 else { return MQTTProperties() }
        var properties = MQTTProperties()
        if assignedClientID { properties.assignedClientIdentifier = clientID }
        if sessionExpiryInterval != requestedSessionExpiry {
            properties.sessionExpiryInterval = sessionExpiryInterval
        }
        if let serverKeepAlive { properties.serverKeepAlive = serverKeepAlive }
        properties.receiveMaximum = settings.receiveMaximum
        if settings.maximumQoS < .exactlyOnce { properties.maximumQoS = settings.maximumQoS.rawValue }
        if !settings.retainAvailable { properties.retainAvailable = 0 }
        properties.maximumPacketSize = UInt32(clamping: settings.maximumPacketSize)
        properties.topicAliasMaximum = settings.topicAliasMaximum
        if !settings.wildcardSubscriptionsAvailable { properties.wildcardSubscriptionAvailable = 0 }
        if !settings.subscriptionIdentifiersAvailable { properties.subscriptionIdentifiersAvailable = 0 }
        if !settings.sharedSubscriptionsAvailable { properties.sharedSubscriptionAvailable = 0 }
        return properties
    }

    var requestedSessionExpiry: UInt32
}

/// A will message validated at CONNECT and kept until the connection ends.
///
/// A class, immutable: a session and its negotiated CONNECT each hold one, and most sessions
/// have none, so each pays a reference rather than the message's full size inline.
public final class WillMessage: Sendable {
    public let topic: TopicName
    public let payload: ByteBuffer
    public let qos: QoS
    public let retain: Bool
    public let properties: MQTTProperties
    /// Seconds to wait after the connection is lost before publishing [MQTT-3.1.3-9].
    public let delayInterval: UInt32
    /// Message Expiry Interval of the will, applied from when it is published.
    public let messageExpiryInterval: UInt32?

    public init(
        topic: TopicName,
        payload: ByteBuffer,
        qos: QoS,
        retain: Bool,
        properties: MQTTProperties,
        delayInterval: UInt32,
        messageExpiryInterval: UInt32?
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
        self.delayInterval = delayInterval
        self.messageExpiryInterval = messageExpiryInterval
    }
}

public enum ConnectNegotiation {
    /// Validates a CONNECT against the settings: the negotiated parameters, or the
    /// CONNACK reason code to refuse it with.
    public static func evaluate(
        _ connect: MQTTPacket.Connect,
        settings: BrokerSettings,
        assignClientID: () -> String
    ) -> Result<NegotiatedConnect, ConnectRefusal> {
        let version = connect.protocolVersion
        var clientID = connect.clientID
        var assigned = false
        if clientID.isEmpty {
            switch version {
            case .v3_1:
                // 3.1 requires 1…23 characters.
                return .failure(ConnectRefusal(.clientIdentifierNotValid, "empty client identifier"))
            case .v3_1_1:
                // [MQTT-3.1.3-8] An empty identifier needs CleanSession = 1.
                guard connect.cleanStart else {
                    return .failure(
                        ConnectRefusal(.clientIdentifierNotValid, "empty client identifier needs clean session")
                    )
                }
            case .v5:
                break
            }
            clientID = assignClientID()
            // [MQTT-3.1.3-6/7] A 3.1.1 client is not told the identifier it was given.
            assigned = version == .v5
        }
        guard clientID.utf8.count <= settings.maximumClientIDLength else {
            return .failure(ConnectRefusal(.clientIdentifierNotValid, "client identifier too long"))
        }
        let properties = connect.properties
        if properties.authenticationMethod != nil {
            // No enhanced authentication method is offered yet.
            return .failure(ConnectRefusal(.badAuthenticationMethod, "authentication method not supported"))
        }

        var will: WillMessage?
        if let connectWill = connect.will {
            guard let topic = try? TopicName(validating: connectWill.topic) else {
                return .failure(ConnectRefusal(.topicNameInvalid, "invalid will topic"))
            }
            guard connectWill.qos <= settings.maximumQoS else {
                return .failure(ConnectRefusal(.qosNotSupported, "will QoS above maximum QoS"))
            }
            guard !connectWill.retain || settings.retainAvailable else {
                return .failure(ConnectRefusal(.retainNotSupported, "retain not available"))
            }
            if connectWill.properties.payloadFormatIndicator == 1,
                !PayloadFormat.isValidUTF8(connectWill.payload)
            {
                return .failure(ConnectRefusal(.payloadFormatInvalid, "will payload is not UTF-8"))
            }
            var willProperties = connectWill.properties
            let delay = willProperties.willDelayInterval ?? 0
            let expiry = willProperties.messageExpiryInterval
            willProperties.willDelayInterval = nil
            willProperties.messageExpiryInterval = nil
            will = WillMessage(
                topic: topic,
                payload: connectWill.payload,
                qos: connectWill.qos,
                retain: connectWill.retain,
                properties: willProperties,
                delayInterval: delay,
                messageExpiryInterval: expiry
            )
        }

        let requestedExpiry: UInt32
        switch version {
        case .v5: requestedExpiry = properties.sessionExpiryInterval ?? 0
        // 3.x: a persistent session lives until the broker's cap; a clean one ends with the connection.
        case .v3_1, .v3_1_1: requestedExpiry = connect.cleanStart ? 0 : UInt32.max
        }
        let sessionExpiry = min(requestedExpiry, settings.maximumSessionExpiry)

        var keepAlive = connect.keepAlive
        var serverKeepAlive: UInt16?
        if version == .v5, settings.maximumKeepAlive < UInt16.max,
            keepAlive == 0 || keepAlive > settings.maximumKeepAlive
        {
            // [MQTT-3.2.2-21] The client must use the Server Keep Alive we send.
            keepAlive = settings.maximumKeepAlive
            serverKeepAlive = keepAlive
        }

        return .success(
            NegotiatedConnect(
                protocolVersion: version,
                clientID: clientID,
                assignedClientID: assigned,
                cleanStart: connect.cleanStart,
                keepAlive: keepAlive,
                serverKeepAlive: serverKeepAlive,
                sessionExpiryInterval: sessionExpiry,
                clientReceiveMaximum: properties.receiveMaximum ?? UInt16.max,
                clientMaximumPacketSize: properties.maximumPacketSize.map { Int($0) } ?? Int(UInt32.max),
                clientTopicAliasMaximum: properties.topicAliasMaximum ?? 0,
                requestProblemInformation: (properties.requestProblemInformation ?? 1) == 1,
                will: will,
                username: connect.username,
                requestedSessionExpiry: requestedExpiry
            )
        )
    }
}

/// Why a CONNECT was refused: the CONNACK reason code and a reason string.
public struct ConnectRefusal: Error, Sendable, Equatable {
    public var reasonCode: ReasonCode
    public var reason: String

    public init(_ reasonCode: ReasonCode, _ reason: String) {
        self.reasonCode = reasonCode
        self.reason = reason
    }
}

/// Payload Format Indicator checks [MQTT-3.3.2-4].
public enum PayloadFormat {
    /// Whether the bytes are well-formed UTF-8 (the check a payload format indicator of 1 asks for).
    public static func isValidUTF8(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }
}
