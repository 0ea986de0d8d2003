import MQTTCodec

/// One client of a run, fully decided before any connection is made.
public struct ClientPlan: Sendable {
    public enum Role: Sendable {
        case publisher(PublisherPlan)
        case subscriber(SubscriberPlan)
        /// Connects, keeps the connection alive, sends nothing else (`conn`).
        case idle
    }

    public var role: Role
    public var clientID: String
    public var host: BenchHost
    public var protocolVersion: ProtocolVersion
    public var keepAlive: UInt16
    public var username: String?
    public var password: String?
    /// Larger inbound packets are refused by the decoder before their body is buffered; with 5.0
    /// the server is told this limit in CONNECT (Maximum Packet Size).
    public var maximumInboundPacketSize: Int
}

public struct PublisherPlan: Sendable {
    public var index: Int
    public var topic: String
    public var qos: QoS
    public var payloadSize: Int
    /// Messages per second; 0 is unlimited.
    public var rate: Double
    /// Where this publisher's schedule starts within one message interval (see `PublishPacer`).
    public var phaseNanoseconds: UInt64
    public var inflight: Int
}

public struct SubscriberPlan: Sendable {
    public var index: Int
    public var filter: BenchTopicFilter
    public var qos: QoS
    /// Publisher indexes at or above this are foreign (see `SubscriberAccounting`).
    public var publisherLimit: UInt32
}

extension BenchConfiguration {
    /// The clients of the run: publishers and subscribers spread round-robin over their hosts,
    /// topics and filters expanded with each client's index.
    public func clientPlans() throws(BenchConfigurationError) -> (
        publishers: [ClientPlan], subscribers: [ClientPlan], idle: [ClientPlan]
    ) {
        // Room for the largest publish of this run plus generous headers; never above MQTT's limit.
        let inboundLimit = min(max(1 << 20, payloadSize + 65_536 + 1_024), 268_435_460)
        func plan(_ role: ClientPlan.Role, id: String, host: BenchHost) -> ClientPlan {
            ClientPlan(
                role: role,
                clientID: clientIDPrefix + id,
                host: host,
                protocolVersion: protocolVersion,
                keepAlive: keepAlive,
                username: username,
                password: password,
                maximumInboundPacketSize: inboundLimit
            )
        }
        var publisherPlans: [ClientPlan] = []
        var subscriberPlans: [ClientPlan] = []
        var idlePlans: [ClientPlan] = []
        if scenario == .pub || scenario == .pubsub {
            publisherPlans.reserveCapacity(publishers)
            for index in 0..<publishers {
                let publisher = PublisherPlan(
                    index: index,
                    topic: topic.expand(clientIndex: index),
                    qos: qos,
                    payloadSize: payloadSize,
                    rate: rate,
                    phaseNanoseconds: rate > 0 ? PublishPacer.phase(ofPublisher: index, of: publishers, rate: rate) : 0,
                    inflight: inflight
                )
                let host = publisherHosts[index % publisherHosts.count]
                publisherPlans.append(plan(.publisher(publisher), id: "p\(index)", host: host))
            }
        }
        if scenario == .sub || scenario == .pubsub {
            subscriberPlans.reserveCapacity(subscribers)
            let limit = scenario == .pubsub ? UInt32(publishers) : 1 << 20
            for index in 0..<subscribers {
                let filter = try BenchTopicFilter(filter.expand(clientIndex: index))
                let subscriber = SubscriberPlan(index: index, filter: filter, qos: qos, publisherLimit: limit)
                let host = subscriberHosts[index % subscriberHosts.count]
                subscriberPlans.append(plan(.subscriber(subscriber), id: "s\(index)", host: host))
            }
        }
        if scenario == .conn {
            idlePlans.reserveCapacity(connections)
            for index in 0..<connections {
                idlePlans.append(plan(.idle, id: "c\(index)", host: subscriberHosts[index % subscriberHosts.count]))
            }
        }
        return (publisherPlans, subscriberPlans, idlePlans)
    }
}
