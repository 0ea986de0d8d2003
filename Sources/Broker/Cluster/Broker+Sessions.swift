import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Topics

/// The broker's side of the cluster-wide session registry: handing sessions to other nodes, taking them
/// in, and passing on what reaches a session that has left.
extension Broker {
    /// Another node accepted a CONNECT for `clientID`: the session here moves there (or ends, with Clean
    /// Start). Completes with what moves, or nil when there is nothing to move.
    public func handOff(clientID: String, to node: String, cleanStart: Bool) -> EventLoopFuture<SessionSnapshot?> {
        guard let entry = registered(clientID) else { return shards[0].eventLoop.makeSucceededFuture(nil) }
        let home = shards[entry.shardIndex]
        return home.eventLoop.submit {
            guard let session = home.sessions[entry.sessionID] else { return nil }
            return session.handOff(to: node, cleanStart: cleanStart)
        }
    }

    /// Drain: every session here moves to the node `target` picks for its client identifier; connected
    /// clients are told to use another server. `moved` is called on the session's loop as each one leaves,
    /// before anything that reaches its stub can be passed on, so the session arrives at its new node first.
    /// Completes with how many moved.
    public func pushAllSessions(
        target: @escaping @Sendable (String) -> (node: String, serverReference: String?)?,
        moved: @escaping @Sendable (_ node: String, _ snapshot: SessionSnapshot) -> Void
    ) -> EventLoopFuture<Int> {
        let futures = shards.map { shard in
            shard.eventLoop.submit { () -> Int in
                var count = 0
                for session in Array(shard.sessions.values) where session.movedTo == nil && !session.hasEnded {
                    guard let (node, reference) = target(session.clientID) else { continue }
                    if let snapshot = session.pushAway(to: node, serverReference: reference) {
                        moved(node, snapshot)
                        count += 1
                    }
                }
                return count
            }
        }
        return EventLoopFuture.reduce(0, futures, on: shards[0].eventLoop, +)
    }

    /// The new holder of a moved session has its routes everywhere: the stub here goes.
    public func releaseMovedSession(clientID: String) {
        guard let stub = stubs.withLockedValue({ $0.removeValue(forKey: clientID) }) else { return }
        let shard = shards[stub.shardIndex]
        shard.execute { shard.sessions[stub.sessionID]?.removeStub() }
    }

    /// Takes in a session pushed here by another node (drain, or two holders after a membership change).
    /// An existing session of the same client identifier absorbs it; otherwise it waits here, offline, for
    /// its client.
    public func adoptPushedSession(_ snapshot: SessionSnapshot) -> EventLoopFuture<Void> {
        let shard = shards[Int.random(in: shards.indices)]
        return shard.eventLoop.flatSubmit {
            let (created, existing) = self.registerIfAbsent(snapshot.clientID) {
                Session(id: self.makeSessionID(), negotiated: self.offlineNegotiation(snapshot), shard: shard)
            }
            if let created {
                shard.sessions[created.id] = created
                created.restore(snapshot)
                created.resumeOffline(expiryInterval: snapshot.expiryInterval, will: snapshot.will)
                return shard.eventLoop.makeSucceededVoidFuture()
            }
            let home = self.shards[existing!.shardIndex]
            return home.eventLoop.submit { home.sessions[existing!.sessionID]?.merge(snapshot) }
        }
    }

    /// Delivers a message the node a session left passed on to it here.
    public func deliverToSession(
        clientID: String,
        message: Message,
        qos: QoS,
        retain: Bool,
        subscriptionIdentifiers: [UInt32]
    ) {
        // A session that moved on from here has a stub, which passes the message on again.
        guard let entry = registered(clientID) ?? stubs.withLockedValue({ $0[clientID] }) else {
            shards[0].execute { self.shards[0].countDrop(.sessionEnded) }
            return
        }
        let home = shards[entry.shardIndex]
        home.execute {
            guard let session = home.sessions[entry.sessionID] else {
                home.countDrop(.sessionEnded)
                return
            }
            session.deliver(message, qos: qos, retain: retain, subscriptionIdentifiers: subscriptionIdentifiers)
        }
    }

    /// Publishes the will of a client whose node died (this node kept it as that node's guardian).
    public func publishOrphanedWill(_ will: WillMessage, clientID: String) {
        let shard = shards[0]
        shard.execute { self.publishWill(will, clientID: clientID, on: shard) }
    }

    /// Publishes a will as a message of its own, its expiry counted from now. On `shard`'s loop.
    func publishWill(_ will: WillMessage, clientID: String, on shard: Shard) {
        let message = Message(
            topic: will.topic,
            payload: will.payload,
            qos: will.qos,
            retain: will.retain,
            properties: will.properties,
            expiresAt: will.messageExpiryInterval.map { .now() + .seconds(Int64($0)) },
            publisherSessionID: nil,
            origin: shard.nextOrigin()
        )
        publish(message, publisherClientID: clientID, on: shard)
    }

    /// The session of `clientID` here, as the admin API shows it.
    public func sessionView(clientID: String) -> EventLoopFuture<ClientSessionView?> {
        guard let entry = registered(clientID) else { return shards[0].eventLoop.makeSucceededFuture(nil) }
        let home = shards[entry.shardIndex]
        return home.eventLoop.submit { home.sessions[entry.sessionID]?.view(node: self.nodeName) }
    }

    /// `session` moved away and stays as a stub until the new holder releases it.
    func trackStub(_ session: Session) {
        stubs.withLockedValue {
            $0[session.clientID] = RegistryEntry(sessionID: session.id, shardIndex: session.shard.index)
        }
    }

    /// What a session pushed while offline keeps until its client reconnects and negotiates anew.
    private func offlineNegotiation(_ snapshot: SessionSnapshot) -> NegotiatedConnect {
        NegotiatedConnect(
            protocolVersion: .v5,
            clientID: snapshot.clientID,
            assignedClientID: false,
            cleanStart: false,
            keepAlive: 0,
            serverKeepAlive: nil,
            sessionExpiryInterval: snapshot.expiryInterval,
            clientReceiveMaximum: settings.maximumInflight,
            clientMaximumPacketSize: Int(UInt32.max),
            clientTopicAliasMaximum: 0,
            requestProblemInformation: true,
            will: nil,
            username: nil,
            requestedSessionExpiry: snapshot.expiryInterval
        )
    }
}
