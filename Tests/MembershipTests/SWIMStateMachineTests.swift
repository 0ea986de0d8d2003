import Membership
import Testing

/// Single machines driven by hand: the inputs of one protocol step and the directives they return.
@Suite struct SWIMStateMachineTests {
    static let configuration = MembershipConfiguration(clusterName: "test")

    static func identity(_ index: Int) -> NodeIdentity {
        NodeIdentity(name: "n\(index)", bootID: UInt64(100 + index), address: "h\(index):7946")
    }

    /// A machine for `n0` that already knows `n1`…`n(others)` alive, after its first tick at time zero.
    static func machine(knowing others: Int) -> SWIMStateMachine {
        var random = SimulationRandom(seed: 1)
        var machine = try! SWIMStateMachine(
            configuration: configuration,
            identity: identity(0),
            seeds: [],
            random: &random
        )
        let members = (0...others).map { MemberUpdate(identity: identity($0), state: .alive, incarnation: 0) }
        _ = machine.receivePushPull(
            PushPullPayload(clusterName: "test", senderName: "n1", isJoin: false, members: members),
            now: .zero
        )
        _ = machine.tick(now: .zero)
        return machine
    }

    static func sends(_ directives: [MembershipDirective]) -> [(GossipMessage, String)] {
        directives.compactMap { directive in
            if case .send(let message, let address) = directive { return (message, address) }
            return nil
        }
    }

    @Test("a ping addressed to this boot is answered with an ack of the same sequence to the sender's address")
    func ping_isAcked_toSourceAddress() {
        var machine = Self.machine(knowing: 2)
        let ping = GossipMessage(
            clusterName: "test",
            senderName: "stranger",
            kind: .ping(.init(sequence: 41, targetName: "n0", targetBootID: 100))
        )
        let sends = Self.sends(machine.receive(ping, from: "10.9.9.9:7946", now: .seconds(1)))
        #expect(sends.count == 1)
        #expect(sends.first?.0.kind == .ack(.init(sequence: 41)))
        #expect(sends.first?.1 == "10.9.9.9:7946")
    }

    @Test("a ping for an earlier boot of this name is not acked")
    func ping_forAnotherBoot_isNotAcked() {
        var machine = Self.machine(knowing: 2)
        let ping = GossipMessage(
            clusterName: "test",
            senderName: "n1",
            kind: .ping(.init(sequence: 1, targetName: "n0", targetBootID: 99))
        )
        #expect(Self.sends(machine.receive(ping, from: "h1:7946", now: .seconds(1))).isEmpty)
        #expect(machine.ignoredInputs[.pingForAnotherNode] == 1)
    }

    @Test("a message from another cluster is ignored and counted")
    func otherCluster_isIgnored() {
        var machine = Self.machine(knowing: 2)
        let ping = GossipMessage(
            clusterName: "other",
            senderName: "n1",
            kind: .ping(.init(sequence: 1, targetName: "n0", targetBootID: 100))
        )
        #expect(machine.receive(ping, from: "h1:7946", now: .seconds(1)).isEmpty)
        #expect(machine.ignoredInputs[.wrongCluster] == 1)
        let payload = PushPullPayload(clusterName: "other", senderName: "x", isJoin: true, members: [])
        #expect(machine.receivePushPull(payload, now: .seconds(1)).reply == nil)
    }

    @Test("an unanswered probe goes indirect through k members at the timeout and ends in suspicion")
    func unansweredProbe_goesIndirect_thenSuspects() {
        var machine = Self.machine(knowing: 5)
        var now = Duration.zero
        var ping: (GossipMessage, String)?
        while ping == nil {
            now += .milliseconds(100)
            ping = Self.sends(machine.tick(now: now)).first { if case .ping = $0.0.kind { true } else { false } }
        }
        guard case .ping(let probe) = ping!.0.kind else { return }
        let requests = Self.sends(machine.tick(now: now + Self.configuration.probeTimeout))
        #expect(requests.count == Self.configuration.indirectProbeCount)
        #expect(requests.allSatisfy { if case .pingRequest = $0.0.kind { true } else { false } })
        #expect(!requests.contains { $0.1 == ping!.1 })

        let end = machine.tick(now: now + Self.configuration.protocolPeriod)
        #expect(
            end.contains {
                if case .notify(.memberSuspect(let member)) = $0 { member.name == probe.targetName } else { false }
            }
        )
        #expect(machine.member(named: probe.targetName)?.state == .suspect)
        // No relay even nacked: this node's own link is the likelier culprit (Lifeguard §4.1).
        #expect(machine.localHealthScore == Self.configuration.indirectProbeCount)
    }

    @Test("a suspicion about this node is refuted with a higher incarnation")
    func suspicionAboutSelf_isRefuted() {
        var machine = Self.machine(knowing: 2)
        let accusation = MemberUpdate(identity: Self.identity(0), state: .suspect, incarnation: 0, reporter: "n1")
        let gossip = GossipMessage(clusterName: "test", senderName: "n1", kind: .gossip, updates: [accusation])
        _ = machine.receive(gossip, from: "h1:7946", now: .seconds(1))
        #expect(machine.localMember.incarnation == 1)
        #expect(machine.localMember.state == .alive)
        let ping = GossipMessage(
            clusterName: "test",
            senderName: "n1",
            kind: .ping(.init(sequence: 5, targetName: "n0", targetBootID: 100))
        )
        let ack = Self.sends(machine.receive(ping, from: "h1:7946", now: .seconds(2))).first?.0
        #expect(ack?.updates.contains(MemberUpdate(identity: Self.identity(0), state: .alive, incarnation: 1)) == true)
    }

    @Test("leaving sends `left` at a higher incarnation to every active member")
    func leave_announcesLeftToEveryone() {
        var machine = Self.machine(knowing: 4)
        let sends = Self.sends(machine.leave(now: .seconds(1)))
        #expect(Set(sends.map(\.1)) == Set((1...4).map { Self.identity($0).address }))
        let left = MemberUpdate(identity: Self.identity(0), state: .left, incarnation: 1)
        #expect(sends.allSatisfy { $0.0.updates == [left] })
        #expect(machine.leave(now: .seconds(2)).isEmpty)
    }

    @Test("a lone node retries its seeds until another member is alive")
    func loneNode_retriesSeeds() {
        var random = SimulationRandom(seed: 2)
        var machine = try! SWIMStateMachine(
            configuration: Self.configuration,
            identity: Self.identity(0),
            seeds: ["h0:7946", "seed:7946"],
            random: &random
        )
        #expect(machine.seeds == ["seed:7946"])
        var attempts = 0
        var now = Duration.zero
        while now < .seconds(5) {
            attempts += machine.tick(now: now).count {
                if case .startPushPull(_, "seed:7946") = $0 { true } else { false }
            }
            now = max(machine.nextDeadline, now + .milliseconds(1))
        }
        #expect(attempts >= 5)
        #expect(!machine.hasJoined)
    }

    @Test("dead and left members are removed after the retention time")
    func deadMembers_areReaped() {
        var machine = Self.machine(knowing: 2)
        let death = MemberUpdate(identity: Self.identity(2), state: .dead, incarnation: 0, reporter: "n1")
        _ = machine.receive(
            GossipMessage(clusterName: "test", senderName: "n1", kind: .gossip, updates: [death]),
            from: "h1:7946",
            now: .seconds(1)
        )
        #expect(machine.member(named: "n2")?.state == .dead)
        #expect(machine.reconnectCandidates == ["h2:7946"])
        let later = Duration.seconds(1) + Self.configuration.deadMemberRetention + .seconds(1)
        let directives = machine.tick(now: later)
        #expect(directives.contains { if case .notify(.memberRemoved) = $0 { true } else { false } })
        #expect(machine.member(named: "n2") == nil)
    }
}
