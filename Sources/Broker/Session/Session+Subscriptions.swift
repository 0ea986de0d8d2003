import Logging
import MQTTCodec
import NIOCore
import Topics

extension Session {
    // MARK: SUBSCRIBE

    func receivedSubscribe(_ subscribe: MQTTPacket.Subscribe, connection: any SessionConnection) {
        let isV5 = connection.protocolVersion == .v5
        let subscriptionIdentifier = subscribe.properties.subscriptionIdentifiers.first
        if subscriptionIdentifier != nil, !settings.subscriptionIdentifiersAvailable {
            return closeConnection(.subscriptionIdentifiersNotSupported, "subscription identifiers not available")
        }
        var reasonCodes: [ReasonCode] = []
        var retainedToSend: [(TopicFilter, SubscriptionEntry)] = []
        reasonCodes.reserveCapacity(subscribe.subscriptions.count)
        for subscription in subscribe.subscriptions {
            switch add(subscription, subscriptionIdentifier: subscriptionIdentifier, isV5: isV5) {
            case .granted(let qos, let retainedFilter, let entry):
                reasonCodes.append(ReasonCode(rawValue: qos.rawValue))
                if let retainedFilter { retainedToSend.append((retainedFilter, entry)) }
            case .refused(let code):
                // 3.x knows a single failure code [MQTT-3.9.3-2].
                reasonCodes.append(isV5 ? code : .unspecifiedError)
            case .protocolError(let code, let reason):
                return closeConnection(code, reason)
            }
        }
        let subAck = MQTTPacket.SubAck(packetID: subscribe.packetID, reasonCodes: reasonCodes)
        guard let cluster = broker.cluster else {
            completeSubscribe(subAck, retained: retainedToSend, connection: connection)
            return
        }
        // In a cluster the SUBACK waits until the peers know the new routes: a publish anywhere after it
        // then reaches this subscriber.
        let loopBound = NIOLoopBound(self, eventLoop: shard.eventLoop)
        let retained = retainedToSend
        cluster.routesPropagated(on: shard.eventLoop).whenComplete { _ in
            loopBound.value.completeSubscribe(subAck, retained: retained, connection: connection)
        }
    }

    private func completeSubscribe(
        _ subAck: MQTTPacket.SubAck,
        retained retainedToSend: [(TopicFilter, SubscriptionEntry)],
        connection: any SessionConnection
    ) {
        // [MQTT-3.8.4-1] SUBACK has the same identifier and one code per filter, in order [MQTT-3.8.4-6].
        connection.send(.subAck(subAck))
        // [MQTT-3.8.4-4] Retained messages of a new subscription follow the SUBACK.
        let now = NIODeadline.now()
        for (filter, entry) in retainedToSend {
            for message in broker.retained.messages(matching: filter, now: now) {
                // [MQTT-3.3.1-8] Retained messages sent on subscribe carry RETAIN = 1.
                deliver(
                    message,
                    qos: min(message.qos, entry.options.qos),
                    retain: true,
                    subscriptionIdentifiers: entry.subscriptionIdentifier.map { [$0] } ?? []
                )
            }
        }
    }

    enum SubscribeOutcome {
        /// `retainedFilter` is set when retained messages must be sent for this filter.
        case granted(QoS, retainedFilter: TopicFilter?, SubscriptionEntry)
        case refused(ReasonCode)
        case protocolError(ReasonCode, String)
    }

    func add(
        _ subscription: MQTTPacket.Subscription,
        subscriptionIdentifier: UInt32?,
        isV5: Bool
    ) -> SubscribeOutcome {
        guard let target = try? SubscriptionTarget(parsing: subscription.topicFilter) else {
            return .refused(.topicFilterInvalid)
        }
        let filter = target.filter
        guard filter.string.utf8.count(where: { $0 == UInt8(ascii: "/") }) < settings.maximumTopicLevels else {
            return .refused(.topicFilterInvalid)
        }
        if filter.hasWildcards, !settings.wildcardSubscriptionsAvailable {
            return .refused(.wildcardSubscriptionsNotSupported)
        }
        var options = subscription.options
        // [MQTT-3.8.4-8] Grant at most the broker's Maximum QoS.
        options.qos = min(options.qos, settings.maximumQoS)
        let entry = SubscriptionEntry(options: options, subscriptionIdentifier: subscriptionIdentifier)

        let existed: Bool
        switch target {
        case .normal(let filter):
            existed = shard.addSubscription(filter, session: id, entry: entry)
        case .shared(let group, let filter):
            guard settings.sharedSubscriptionsAvailable else { return .refused(.sharedSubscriptionsNotSupported) }
            // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error.
            if options.noLocal, isV5 { return .protocolError(.protocolError, "no local on a shared subscription") }
            existed = broker.sharedSubscriptions.add(
                group: group,
                filter: filter,
                member: .init(sessionID: id, shardIndex: shard.index, clientID: clientID, entry: entry, online: true)
            )
            if !existed { broker.sharedMemberChanged(group: group, filter: filter, clientID: clientID, added: true) }
        case .exclusive(let filter):
            guard broker.claimExclusive(filter, for: id, clientID: clientID) else { return .refused(.quotaExceeded) }
            existed = shard.addSubscription(filter, session: id, entry: entry)
        }
        subscriptions[subscription.topicFilter] = SessionSubscription(target: target, entry: entry)

        // 5.0 §3.8.3.1 Retain Handling; shared subscriptions never get retained messages at subscribe.
        let sendRetained: Bool
        switch (target, options.retainHandling) {
        case (.shared, _): sendRetained = false
        case (_, .sendOnSubscribe): sendRetained = true
        case (_, .sendOnNewSubscribe): sendRetained = !existed
        case (_, .doNotSend): sendRetained = false
        }
        return .granted(options.qos, retainedFilter: sendRetained ? filter : nil, entry)
    }

    // MARK: UNSUBSCRIBE

    func receivedUnsubscribe(_ unsubscribe: MQTTPacket.Unsubscribe, connection: any SessionConnection) {
        var reasonCodes: [ReasonCode] = []
        for filter in unsubscribe.topicFilters {
            if let subscription = subscriptions.removeValue(forKey: filter) {
                removeFromRouting(subscription.target)
                reasonCodes.append(.success)
            } else {
                reasonCodes.append(.noSubscriptionExisted)
            }
        }
        // [MQTT-3.10.4-4] UNSUBACK even when nothing matched.
        connection.send(.unsubAck(MQTTPacket.UnsubAck(packetID: unsubscribe.packetID, reasonCodes: reasonCodes)))
    }

    func removeFromRouting(_ target: SubscriptionTarget) {
        switch target {
        case .normal(let filter):
            shard.removeSubscription(filter, session: id)
        case .shared(let group, let filter):
            if broker.sharedSubscriptions.remove(group: group, filter: filter, sessionID: id) {
                broker.sharedMemberChanged(group: group, filter: filter, clientID: clientID, added: false)
            }
        case .exclusive(let filter):
            shard.removeSubscription(filter, session: id)
            broker.releaseExclusive(filter, for: id)
        }
    }

    /// Another node's earlier grant of the same exclusive subscription won: this one is removed.
    func revokeExclusive(_ filter: TopicFilter) {
        shard.eventLoop.assertInEventLoop()
        for (key, subscription) in subscriptions {
            guard case .exclusive(let held) = subscription.target, held == filter else { continue }
            subscriptions.removeValue(forKey: key)
            shard.removeSubscription(filter, session: id)
            broker.releaseExclusive(filter, for: id)
            broker.logger.info(
                "exclusive subscription revoked: another node held it first",
                metadata: ["client": "\(clientID)", "topic": "\(filter)"]
            )
        }
    }

    func hasSharedSubscription(_ choice: SharedSubscriptionTable.Choice) -> Bool {
        subscriptions.values.contains { subscription in
            if case .shared(let group, let filter) = subscription.target {
                return group == choice.group && filter == choice.filter
            }
            return false
        }
    }

    func setSharedMembership(online: Bool) {
        for subscription in subscriptions.values {
            if case .shared(let group, let filter) = subscription.target {
                broker.sharedSubscriptions.setOnline(
                    online,
                    group: group,
                    filter: filter,
                    sessionID: id,
                    shardIndex: shard.index
                )
            }
        }
    }
}
