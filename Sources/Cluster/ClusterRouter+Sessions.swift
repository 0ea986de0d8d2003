import Broker
import ClusterProtocol
import Foundation
import Logging
import MQTTCodec
import Membership
import NIOCore

/// The cluster-wide session registry (cluster/PROTOCOL.md, "Sessions"): claims at the directory node of
/// each client identifier, session handoffs between nodes, and the directory records this node keeps.
extension ClusterRouter {
    static let claimTimeLimit = TimeAmount.seconds(3)
    static let fetchTimeLimit = TimeAmount.seconds(5)
    /// How long a stub keeps passing messages on after the new holder's routes are everywhere: covers
    /// messages already on their way to the old holder.
    static let stubGrace = TimeAmount.seconds(2)
    /// How long a move may wait for its release; the broker's stub lives no longer either.
    static let stubLifetime = TimeAmount.seconds(60)

    /// The members among which directory records are placed: alive members that are not draining, and this
    /// node.
    var directoryMembers: [String] {
        alivePeers.keys.filter { !sessions.drainingPeers.contains($0) } + [localName]
    }

    func directoryOwner(of clientID: String) -> String {
        DirectoryPlacement.owner(of: clientID, among: directoryMembers) ?? localName
    }

    // MARK: CONNECT here

    public func claimSession(
        clientID: String,
        cleanStart: Bool,
        attach: @escaping @Sendable (SessionSnapshot?) -> EventLoopFuture<Void>
    ) {
        loop.execute {
            if let pending = self.sessions.pending[clientID] {
                if pending.waiting.count >= SessionCoordination.waitingFetchLimit {
                    // A client reconnecting in a tight loop: the oldest waiting CONNECT goes ahead on this node
                    // alone; the newer ones take the session from it as they attach.
                    _ = pending.waiting.removeFirst().attach(nil)
                }
                pending.waiting.append((cleanStart, attach))
                return
            }
            self.start(PendingConnect(clientID: clientID, cleanStart: cleanStart, attach: attach))
        }
    }

    private func start(_ connect: PendingConnect) {
        sessions.pending[connect.clientID] = connect
        sessions.counters.claims &+= 1
        connect.requestID = sessions.makeRequestID()
        connect.claimedAt = Broker.millisecondsSinceEpoch()
        let owner = directoryOwner(of: connect.clientID)
        connect.stage = .claiming(directory: owner)
        if owner == localName {
            let (previous, generation) = sessions.directory.claim(
                connect.clientID,
                by: localName,
                at: connect.claimedAt
            )
            claimAnswered(connect, previous: previous, generation: generation)
            return
        }
        sessions.claimRequests[connect.requestID] = connect.clientID
        giveUp(on: connect, after: Self.claimTimeLimit) {
            self.sessions.claimRequests.removeValue(forKey: connect.requestID)
            self.sessions.counters.claimTimeouts &+= 1
            self.logger.warning(
                "session claim timed out: starting without the cluster's session",
                metadata: ["client": "\(connect.clientID)", "directory": "\(owner)"]
            )
        }
        if let link = links[owner] {
            sendClaim(connect, on: link)
        } else {
            sessions.awaitingLink[owner, default: []].append(connect.clientID)
        }
    }

    private func sendClaim(_ connect: PendingConnect, on link: PeerLink) {
        link.write(
            .sessionClaim(
                PeerFrame.SessionClaim(
                    requestID: connect.requestID,
                    clientID: connect.clientID,
                    claimedAt: connect.claimedAt
                )
            )
        )
        link.flush()
    }

    /// The directory answered: fetches from nodes that claimed earlier get what this node holds now; then
    /// the session comes from its previous holder, if another node.
    private func claimAnswered(_ connect: PendingConnect, previous: String?, generation: UInt64) {
        connect.generation = generation
        let earlier = connect.deferredFetches.filter { $0.fetch.generation < generation }
        connect.deferredFetches.removeAll { $0.fetch.generation < generation }
        for deferred in earlier { handleFetch(deferred.fetch, from: deferred.node) }
        guard let previous, previous != localName else {
            attach(connect, snapshot: nil, from: nil)
            return
        }
        fetch(connect, from: previous, redirects: 0)
    }

    private func fetch(_ connect: PendingConnect, from node: String, redirects: Int) {
        guard let link = links[node] else {
            // The holder is gone or unreachable: its session is lost with it.
            attach(connect, snapshot: nil, from: nil)
            return
        }
        connect.requestID = sessions.makeRequestID()
        connect.stage = .fetching(from: node, redirects: redirects)
        giveUp(on: connect, after: Self.fetchTimeLimit) {
            self.sessions.counters.fetchTimeouts &+= 1
            self.logger.warning(
                "session fetch timed out: starting a new session",
                metadata: ["client": "\(connect.clientID)", "holder": "\(node)"]
            )
        }
        link.write(
            .sessionFetch(
                PeerFrame.SessionFetch(
                    requestID: connect.requestID,
                    clientID: connect.clientID,
                    cleanStart: connect.cleanStart,
                    generation: connect.generation ?? 0
                )
            )
        )
        link.flush()
    }

    /// Ends the stage `connect` is in now (its request id names it) after `limit` if nothing answered: the
    /// CONNECT goes on with a new session.
    private func giveUp(
        on connect: PendingConnect,
        after limit: TimeAmount,
        _ counted: @escaping @Sendable () -> Void
    ) {
        connect.timeout?.cancel()
        let requestID = connect.requestID
        connect.timeout = loop.scheduleTask(in: limit) {
            guard self.sessions.pending[connect.clientID] === connect, connect.requestID == requestID else { return }
            counted()
            self.attach(connect, snapshot: nil, from: nil)
        }
    }

    private func attach(_ connect: PendingConnect, snapshot: SessionSnapshot?, from node: String?) {
        connect.timeout?.cancel()
        connect.timeout = nil
        if snapshot == nil, sessions.adopting[connect.clientID] != nil {
            // Its holder pushed the session here (a drain) while the client was already reconnecting: a
            // new session now would hide the pushed one from the client (Session Present 0). Attach to
            // it once it is here (`adoptPushed`).
            connect.stage = .awaitingAdoption
            return
        }
        connect.stage = .attaching(from: node)
        sessions.held[connect.clientID] = connect.claimedAt
        connect.attach(snapshot).hop(to: loop).whenComplete { _ in
            self.attached(connect, from: node)
        }
    }

    private func attached(_ connect: PendingConnect, from node: String?) {
        if let node {
            sessions.counters.takeovers &+= 1
            let milliseconds = Double((NIODeadline.now() - connect.startedAt).nanoseconds) / 1_000_000
            sessions.counters.takeoverMillisecondsLast = milliseconds
            sessions.counters.takeoverMillisecondsMax = max(sessions.counters.takeoverMillisecondsMax, milliseconds)
            // Once every node routes to this one, the old holder may drop its stub.
            routesPropagated(on: loop).whenComplete { _ in
                self.send(.sessionRelease(clientID: connect.clientID), to: node)
            }
        }
        // No longer pending first: delivered while still pending, they would only be held back again,
        // and then forgotten.
        sessions.pending.removeValue(forKey: connect.clientID)
        for forwarded in connect.deferredDeliveries { deliverToSession(forwarded) }
        for deferred in connect.deferredFetches { handleFetch(deferred.fetch, from: deferred.node) }
        if !connect.waiting.isEmpty {
            var next = connect.waiting
            let first = next.removeFirst()
            let following = PendingConnect(
                clientID: connect.clientID,
                cleanStart: first.cleanStart,
                attach: first.attach
            )
            following.waiting = next
            start(following)
        }
    }

    // MARK: Frames

    func receivedSessionFrame(_ frame: PeerFrame, on link: PeerLink) {
        let peer = link.peerName
        switch frame {
        case .sessionClaim(let claim):
            let (previous, generation) = sessions.directory.claim(claim.clientID, by: peer, at: claim.claimedAt)
            link.write(
                .sessionClaimReply(
                    .init(requestID: claim.requestID, previousHolder: previous ?? "", generation: generation)
                )
            )
            link.flush()
        case .sessionClaimReply(let reply):
            guard let clientID = sessions.claimRequests.removeValue(forKey: reply.requestID),
                let connect = sessions.pending[clientID], connect.requestID == reply.requestID,
                case .claiming = connect.stage
            else { return }
            claimAnswered(
                connect,
                previous: reply.previousHolder.isEmpty ? nil : reply.previousHolder,
                generation: reply.generation
            )
        case .sessionFetch(let fetch):
            handleFetch(fetch, from: peer)
        case .sessionHandoff(let handoff):
            receivedHandoff(handoff, from: peer)
        case .sessionRelease(let clientID):
            guard sessions.moved[clientID] == peer else { return }
            released(clientID)
        case .sessionRegister(let records):
            for record in records {
                if let conflict = sessions.directory.register(record.clientID, by: peer, at: record.claimedAt) {
                    evict(record.clientID, loser: conflict.loser, winner: conflict.winner)
                }
            }
        case .sessionEnded(let record):
            sessions.directory.ended(record.clientID, by: peer)
        case .sessionEvict(let clientID, let winner):
            pushSession(clientID, to: winner)
        case .nodeDraining:
            peerDraining(peer)
        case .mqttListener(let port):
            sessions.peerMQTTPorts[peer] = port
        case .sessionLookup(let requestID, let clientID):
            answerLookup(requestID: requestID, clientID: clientID, on: link)
        case .sessionLookupReply(let requestID, let holder):
            sessions.lookups.removeValue(forKey: requestID)?.succeed(holder.isEmpty ? nil : holder)
        case .sessionDescribe(let requestID, let clientID):
            broker.sessionView(clientID: clientID).hop(to: loop).whenComplete { result in
                let view = (try? result.get()) ?? nil
                self.send(.sessionDescription(requestID: requestID, description: view.map(Self.describe)), to: peer)
            }
        case .sessionDescription(let requestID, let description):
            sessions.details.removeValue(forKey: requestID)?.succeed(
                description.map { Self.view(of: $0, clientID: "", node: peer) }
            )
        default:
            break
        }
    }

    /// Another node accepted a CONNECT for a session this node holds (or held).
    func handleFetch(_ fetch: PeerFrame.SessionFetch, from node: String) {
        let clientID = fetch.clientID
        let requestID = fetch.requestID
        let cleanStart = fetch.cleanStart
        if let pending = sessions.pending[clientID] {
            // A CONNECT here is under way; the directory's generations say which claim came first. An
            // earlier fetcher gets what this node holds now (waiting would deadlock two nodes fetching from
            // each other); a later one, or one whose order is not known yet, waits until the session is
            // attached here and then moves on.
            var isEarlier = false
            if let generation = pending.generation, fetch.generation < generation {
                switch pending.stage {
                case .attaching, .awaitingAdoption: break  // waits on nothing but this node
                case .claiming, .fetching: isEarlier = true
                }
            }
            guard isEarlier else {
                guard pending.deferredFetches.count < SessionCoordination.waitingFetchLimit else {
                    return refuseFetch(fetch, from: node)
                }
                pending.deferredFetches.append(.init(node: node, fetch: fetch))
                return
            }
        }
        if sessions.held[clientID] == nil, sessions.unreleased.contains(clientID) {
            // Moved from here, but the new holder may not have taken it in yet: send the fetcher there once
            // it has.
            guard sessions.fetchesAwaitingRelease[clientID, default: []].count < SessionCoordination.waitingFetchLimit
            else { return refuseFetch(fetch, from: node) }
            sessions.fetchesAwaitingRelease[clientID, default: []].append((node, fetch))
            return
        }
        if sessions.held[clientID] == nil, let next = sessions.moved[clientID], next != node {
            send(.sessionHandoff(.init(requestID: requestID, clientID: clientID, outcome: .moved(to: next))), to: node)
            return
        }
        // The directory ordered this fetch after any claim here, so from now on the session is the fetcher's.
        sessions.held.removeValue(forKey: clientID)
        broker.handOff(clientID: clientID, to: node, cleanStart: cleanStart).hop(to: loop).whenComplete { result in
            guard case .success(let snapshot?) = result else {
                self.send(.sessionHandoff(.init(requestID: requestID, clientID: clientID, outcome: .absent)), to: node)
                return
            }
            self.sessions.counters.handedOff &+= 1
            self.movedAway(clientID, to: node)
            self.sendSnapshot(snapshot, requestID: requestID, to: node)
        }
    }

    /// More fetches of one client identifier waiting here than any real race makes: the fetcher is told
    /// there is nothing, and starts a new session.
    private func refuseFetch(_ fetch: PeerFrame.SessionFetch, from node: String) {
        sessions.counters.refusedFetches &+= 1
        send(.sessionHandoff(.init(requestID: fetch.requestID, clientID: fetch.clientID, outcome: .absent)), to: node)
    }

    private func movedAway(_ clientID: String, to node: String) {
        sessions.moved[clientID] = node
        sessions.unreleased.insert(clientID)
        // A new holder that never releases (it died) must not leave the move open for ever.
        loop.scheduleTask(in: Self.stubLifetime) {
            if self.sessions.moved[clientID] == node, self.sessions.unreleased.contains(clientID) {
                self.released(clientID)
            }
        }
    }

    /// The new holder of a session that left has its routes everywhere: the stub goes after a grace period
    /// (for messages already on their way here), and fetches that waited are sent there.
    private func released(_ clientID: String) {
        let next = sessions.moved.removeValue(forKey: clientID)
        sessions.unreleased.remove(clientID)
        loop.scheduleTask(in: Self.stubGrace) { self.broker.releaseMovedSession(clientID: clientID) }
        for waiting in sessions.fetchesAwaitingRelease.removeValue(forKey: clientID) ?? [] {
            let outcome: PeerFrame.SessionHandoff.Outcome = next.map { .moved(to: $0) } ?? .absent
            send(
                .sessionHandoff(.init(requestID: waiting.fetch.requestID, clientID: clientID, outcome: outcome)),
                to: waiting.node
            )
        }
        if sessions.unreleased.isEmpty, let waiter = sessions.drainWaiter {
            sessions.drainWaiter = nil
            waiter.succeed()
        }
    }

    // MARK: Drain

    /// This node's MQTT listener is bound: peers learn its port (sent again on every new link).
    public func announceMQTTListener(port: Int) {
        loop.execute {
            self.sessions.localMQTTPort = UInt16(clamping: port)
            self.broadcast(.mqttListener(port: UInt16(clamping: port)))
        }
    }

    /// Moves every session here to alive members (spread by client identifier) and waits, up to
    /// `timeLimit`, until each new holder has its routes everywhere. Clients are disconnected with 0x9C and
    /// a Server Reference naming the node their session went to: its host and the MQTT port it announced
    /// (`mqttPort`, this node's, when it announced none). Returns how many sessions moved.
    public func drain(mqttPort: Int, timeLimit: TimeAmount = .seconds(15)) async -> Int {
        let targets: [(name: String, reference: String)] =
            (try? await loop.submit {
                self.alivePeers.values.filter { self.links[$0.name] != nil }.map { member in
                    // The peer's own MQTT port when it said; else this node's (nodes usually share one).
                    let port = self.sessions.peerMQTTPorts[member.name].map(Int.init) ?? mqttPort
                    let host = PeerAddress.split(member.address)?.host ?? member.address
                    return (member.name, PeerAddress.text(host: host, port: port))
                }
            }.get()) ?? []
        guard !targets.isEmpty else {
            // A node alone (or the last one) has nowhere to move sessions: it simply shuts down.
            logger.info("drain: no other member to move sessions to")
            return 0
        }
        _ = try? await loop.submit { self.broadcast(.nodeDraining) }.get()
        let references = Dictionary(uniqueKeysWithValues: targets)
        let names = targets.map(\.name)
        let released = loop.makePromise(of: Void.self)
        let moved =
            (try? await broker.pushAllSessions { clientID in
                guard let node = DirectoryPlacement.owner(of: clientID, among: names) else { return nil }
                return (node, references[node])
            } moved: { node, snapshot in
                self.loop.execute {
                    var snapshot = snapshot
                    snapshot.claimedAt = self.sessions.held.removeValue(forKey: snapshot.clientID) ?? 0
                    self.sessions.counters.pushed &+= 1
                    self.movedAway(snapshot.clientID, to: node)
                    self.sendSnapshot(snapshot, requestID: 0, to: node)
                }
            }.get()) ?? 0
        loop.execute {
            if self.sessions.unreleased.isEmpty {
                released.succeed()
            } else {
                self.sessions.drainWaiter = released
                self.loop.scheduleTask(in: timeLimit) {
                    self.sessions.drainWaiter = nil
                    released.succeed()
                }
            }
        }
        try? await released.futureResult.get()
        // Messages already on their way here still reach the stubs, which pass them on.
        try? await loop.scheduleTask(in: Self.stubGrace) {}.futureResult.get()
        logger.info("drain: sessions moved", metadata: ["sessions": "\(moved)"])
        return moved
    }

    private func sendSnapshot(_ snapshot: SessionSnapshot, requestID: UInt64, to node: String) {
        let parts = snapshot.wireParts()
        guard let link = links[node] else {
            // The taker vanished between its fetch and the answer: the session stays here after all.
            logger.warning(
                "session handoff lost its peer",
                metadata: ["client": "\(snapshot.clientID)", "peer": "\(node)"]
            )
            _ = broker.adoptPushedSession(snapshot)
            return
        }
        for (index, part) in parts.enumerated() {
            link.write(
                .sessionHandoff(
                    .init(
                        requestID: requestID,
                        clientID: snapshot.clientID,
                        outcome: .state(part),
                        isFinal: index == parts.count - 1
                    )
                )
            )
        }
        link.flush()
    }

    private func receivedHandoff(_ handoff: PeerFrame.SessionHandoff, from node: String) {
        let key = SessionCoordination.IncomingHandoff(node: node, clientID: handoff.clientID)
        var snapshot: SessionSnapshot?
        switch handoff.outcome {
        case .state(var part):
            // A session holds at most a window and a queue of messages; a peer that sends more is broken.
            let held = sessions.incoming[key, default: []].reduce(0) { $0 + $1.inflight.count + $1.queued.count }
            let room = max(0, SessionCoordination.handoffMessageLimit - held - part.inflight.count)
            if part.queued.count > room {
                sessions.counters.droppedWhileMoving &+= UInt64(part.queued.count - room)
                part.queued.removeLast(part.queued.count - room)
            }
            sessions.incoming[key, default: []].append(part)
            guard handoff.isFinal else { return }
            snapshot = SessionSnapshot(clientID: handoff.clientID, parts: sessions.incoming.removeValue(forKey: key)!)
        case .absent, .moved:
            sessions.incoming.removeValue(forKey: key)
        }
        guard let connect = sessions.pending[handoff.clientID], connect.requestID == handoff.requestID,
            case .fetching(let holder, let redirects) = connect.stage, holder == node
        else {
            // Pushed here (drain, eviction), or an answer that came after its time limit: keep it.
            if let snapshot { adoptPushed(snapshot, from: node) }
            return
        }
        switch handoff.outcome {
        case .absent:
            attach(connect, snapshot: nil, from: nil)
        case .moved(let next):
            if redirects < 3, next != localName {
                fetch(connect, from: next, redirects: redirects + 1)
            } else {
                attach(connect, snapshot: nil, from: nil)
            }
        case .state:
            attach(connect, snapshot: snapshot, from: node)
        }
    }

    private func adoptPushed(_ snapshot: SessionSnapshot, from node: String) {
        sessions.counters.adoptedPushes &+= 1
        let clientID = snapshot.clientID
        // Registered with the time its first holder claimed it: a CONNECT claimed since is newer and wins.
        let claimedAt = snapshot.claimedAt != 0 ? snapshot.claimedAt : Broker.millisecondsSinceEpoch()
        sessions.adopting[clientID] = sessions.adopting[clientID] ?? []
        broker.adoptPushedSession(snapshot).hop(to: loop).whenComplete { _ in
            for forwarded in self.sessions.adopting.removeValue(forKey: clientID) ?? [] {
                self.deliverToSession(forwarded)
            }
            if let connect = self.sessions.pending[clientID], case .awaitingAdoption = connect.stage {
                self.attach(connect, snapshot: nil, from: nil)
            }
            if self.sessions.held[clientID] == nil { self.sessions.held[clientID] = claimedAt }
            self.register([PeerFrame.SessionRecord(clientID: clientID, claimedAt: claimedAt)])
            self.routesPropagated(on: self.loop).whenComplete { _ in
                self.send(.sessionRelease(clientID: clientID), to: node)
            }
        }
    }

    /// Moves a session this node holds to `node` unasked (drain, or a lost registration race).
    func pushSession(_ clientID: String, to node: String) {
        guard node != localName, links[node] != nil else { return }
        sessions.counters.evictions &+= 1
        let claimedAt = sessions.held.removeValue(forKey: clientID) ?? 0
        broker.handOff(clientID: clientID, to: node, cleanStart: false).hop(to: loop).whenComplete { result in
            guard case .success(var snapshot?) = result else { return }
            snapshot.claimedAt = claimedAt
            self.movedAway(clientID, to: node)
            self.sendSnapshot(snapshot, requestID: 0, to: node)
        }
    }

    private func evict(_ clientID: String, loser: String, winner: String) {
        logger.info(
            "two nodes held one session: the later claim keeps it",
            metadata: ["client": "\(clientID)", "kept on": "\(winner)", "moved from": "\(loser)"]
        )
        if loser == localName {
            pushSession(clientID, to: winner)
        } else {
            send(.sessionEvict(clientID: clientID, winner: winner), to: loser)
        }
    }

    // MARK: Messages passed on by a stub

    public func forwardToSession(
        _ message: Message,
        node: String,
        clientID: String,
        qos: QoS,
        retain: Bool,
        subscriptionIdentifiers: [UInt32],
        fromShard shardIndex: Int
    ) {
        guard let publish = Self.publish(from: message) else { return }
        let forwarded = PeerFrame.ForwardedMessage(
            id: 0,
            origin: Self.origin(of: message),
            target: .session(
                clientID: clientID,
                qos: qos,
                retain: retain,
                subscriptionIdentifiers: subscriptionIdentifiers
            ),
            publish: publish
        )
        enqueue([(node, forwarded)], fromShard: shardIndex)
    }

    /// A message for a session that moved here; held back while the session is still being attached.
    func deliverToSession(_ forwarded: PeerFrame.ForwardedMessage) {
        guard case .session(let clientID, let qos, let retain, let identifiers) = forwarded.target else { return }
        if let pending = sessions.pending[clientID] {
            if pending.deferredDeliveries.count < SessionCoordination.heldBackLimit {
                pending.deferredDeliveries.append(forwarded)
            } else {
                sessions.counters.droppedWhileMoving &+= 1
            }
            return
        }
        if let waiting = sessions.adopting[clientID] {
            if waiting.count < SessionCoordination.heldBackLimit {
                sessions.adopting[clientID]!.append(forwarded)
            } else {
                sessions.counters.droppedWhileMoving &+= 1
            }
            return
        }
        guard let message = Self.message(from: forwarded.publish, origin: forwarded.origin, now: .now()) else { return }
        broker.deliverToSession(
            clientID: clientID,
            message: message,
            qos: qos,
            retain: retain,
            subscriptionIdentifiers: identifiers
        )
    }

    // MARK: Ending and registering

    public func sessionEnded(clientID: String) {
        loop.execute {
            // A CONNECT under way here ends the old session (Clean Start) and attaches a new one: the
            // directory must keep naming this node.
            guard self.sessions.pending[clientID] == nil else { return }
            guard let claimedAt = self.sessions.held.removeValue(forKey: clientID) else { return }
            let owner = self.directoryOwner(of: clientID)
            if owner == self.localName {
                self.sessions.directory.ended(clientID, by: self.localName)
            } else if let link = self.links[owner] {
                link.write(.sessionEnded(PeerFrame.SessionRecord(clientID: clientID, claimedAt: claimedAt)))
                link.flush()
            }
        }
    }

    /// Tells each record's directory node that this node holds it.
    func register(_ records: [PeerFrame.SessionRecord]) {
        var byOwner: [String: [PeerFrame.SessionRecord]] = [:]
        for record in records { byOwner[directoryOwner(of: record.clientID), default: []].append(record) }
        for (owner, records) in byOwner {
            if owner == localName {
                for record in records {
                    if let conflict = sessions.directory.register(record.clientID, by: localName, at: record.claimedAt)
                    {
                        evict(record.clientID, loser: conflict.loser, winner: conflict.winner)
                    }
                }
            } else if let link = links[owner] {
                for chunk in stride(from: 0, to: records.count, by: 10_000) {
                    link.write(.sessionRegister(Array(records[chunk..<min(chunk + 10_000, records.count)])))
                }
                link.flush()
            }
        }
    }

    /// A link came up: claims waiting for it go out, and the peer learns the sessions it is now directory of.
    func sessionsLinkEstablished(_ link: PeerLink) {
        let peer = link.peerName
        if let port = sessions.localMQTTPort { link.write(.mqttListener(port: port)) }
        for clientID in sessions.awaitingLink.removeValue(forKey: peer) ?? [] {
            if let connect = sessions.pending[clientID], case .claiming(let owner) = connect.stage, owner == peer {
                sendClaim(connect, on: link)
            }
        }
        let owned = sessions.held.filter { directoryOwner(of: $0.key) == peer }
        if !owned.isEmpty {
            register(owned.map { PeerFrame.SessionRecord(clientID: $0.key, claimedAt: $0.value) })
        }
        // Computed first: the closure must not read `sessions` while `keepOnly` changes it.
        let members = directoryMembers
        let localName = localName
        sessions.directory.keepOnly { DirectoryPlacement.owner(of: $0, among: members) == localName }
    }

    /// A member is draining: directory records it kept move to the next owner (each holder registers
    /// again), and wills it kept go to another guardian.
    private func peerDraining(_ node: String) {
        guard sessions.drainingPeers.insert(node).inserted else { return }
        let reowned = sessions.held.filter {
            DirectoryPlacement.owner(of: $0.key, among: directoryMembers + [node]) == node
        }
        if !reowned.isEmpty {
            register(reowned.map { PeerFrame.SessionRecord(clientID: $0.key, claimedAt: $0.value) })
        }
        redepositWills()
    }

    /// A member died or left: sessions it held are gone, and the records it kept move to other nodes.
    func sessionsMemberGone(_ node: String) {
        sessions.directory.removeHolder(node)
        sessions.drainingPeers.remove(node)
        sessions.incoming = sessions.incoming.filter { $0.key.node != node }
        for (clientID, holder) in sessions.moved where holder == node {
            released(clientID)
        }
        let reowned = sessions.held.filter {
            DirectoryPlacement.owner(of: $0.key, among: directoryMembers + [node]) == node
        }
        if !reowned.isEmpty {
            register(reowned.map { PeerFrame.SessionRecord(clientID: $0.key, claimedAt: $0.value) })
        }
        // Claims waiting for the gone node's link are answered by its successor.
        for clientID in sessions.awaitingLink.removeValue(forKey: node) ?? [] {
            guard let connect = sessions.pending[clientID], case .claiming = connect.stage else { continue }
            connect.timeout?.cancel()
            sessions.pending.removeValue(forKey: clientID)
            let restarted = PendingConnect(clientID: clientID, cleanStart: connect.cleanStart, attach: connect.attach)
            restarted.waiting = connect.waiting
            start(restarted)
        }
    }

    // MARK: Visibility

    private func answerLookup(requestID: UInt64, clientID: String, on link: PeerLink) {
        link.write(.sessionLookupReply(requestID: requestID, holder: sessions.directory.holder(of: clientID) ?? ""))
        link.flush()
    }

    /// Which node holds the session of `clientID`, as its directory node says (nil: none).
    public func sessionHolder(of clientID: String) async -> String? {
        let promise = loop.makePromise(of: String?.self)
        loop.execute {
            let owner = self.directoryOwner(of: clientID)
            if owner == self.localName {
                promise.succeed(self.sessions.directory.holder(of: clientID))
                return
            }
            guard let link = self.links[owner] else {
                promise.succeed(nil)
                return
            }
            let requestID = self.sessions.makeRequestID()
            self.sessions.lookups[requestID] = promise
            link.write(.sessionLookup(requestID: requestID, clientID: clientID))
            link.flush()
            self.loop.scheduleTask(in: Self.claimTimeLimit) {
                self.sessions.lookups.removeValue(forKey: requestID)?.succeed(nil)
            }
        }
        return (try? await promise.futureResult.get()) ?? nil
    }

    /// Where the session of `clientID` is and its state, from whichever node holds it (nil: none).
    public func describeSession(_ clientID: String) async -> ClientSessionView? {
        let holder = await sessionHolder(of: clientID)
        if holder == nil || holder == localName {
            return try? await broker.sessionView(clientID: clientID).get()
        }
        let promise = loop.makePromise(of: ClientSessionView?.self)
        loop.execute {
            guard let holder, let link = self.links[holder] else {
                promise.succeed(nil)
                return
            }
            let requestID = self.sessions.makeRequestID()
            self.sessions.details[requestID] = promise
            link.write(.sessionDescribe(requestID: requestID, clientID: clientID))
            link.flush()
            self.loop.scheduleTask(in: Self.claimTimeLimit) {
                self.sessions.details.removeValue(forKey: requestID)?.succeed(nil)
            }
        }
        guard var view = (try? await promise.futureResult.get()) ?? nil else { return nil }
        view.clientID = clientID
        return view
    }

    static func describe(_ view: ClientSessionView) -> PeerFrame.SessionDescription {
        PeerFrame.SessionDescription(
            connected: view.connected,
            protocolVersion: view.protocolVersion,
            subscriptions: view.subscriptions,
            inflight: UInt32(clamping: view.inflight),
            queued: UInt32(clamping: view.queued),
            expiryInterval: view.sessionExpiryInterval,
            hasWill: view.hasWill
        )
    }

    static func view(of description: PeerFrame.SessionDescription, clientID: String, node: String) -> ClientSessionView
    {
        ClientSessionView(
            clientID: clientID,
            node: node,
            connected: description.connected,
            protocolVersion: description.protocolVersion,
            subscriptions: description.subscriptions,
            inflight: Int(description.inflight),
            queued: Int(description.queued),
            sessionExpiryInterval: description.expiryInterval,
            hasWill: description.hasWill
        )
    }

    public func sessionCounters() async -> SessionCounters {
        (try? await loop.submit {
            var counters = self.sessions.counters
            counters.directoryRecords = self.sessions.directory.count
            counters.heldSessions = self.sessions.held.count
            return counters
        }.get()) ?? SessionCounters()
    }
}
