import Cluster
import Logging
import Membership
import NIOPosix
import Testing

/// Gossip services in one process, on loopback with fast timers: joining, failure, restart, leave, and
/// nodes that must never be admitted.
@Suite("Gossip over loopback sockets", .serialized)
struct GossipServiceTests {
    /// Ten times faster than the defaults, so a failure is found in about a second.
    static func settings(_ name: String, seeds: [String] = [], secret: String = "s3cret", cluster: String = "test")
        -> GossipSettings
    {
        var settings = GossipSettings(
            nodeName: name,
            clusterName: cluster,
            listenHost: "127.0.0.1",
            listenPort: 0,
            seeds: seeds,
            secret: secret
        )
        settings.membership.protocolPeriod = .milliseconds(100)
        settings.membership.probeTimeout = .milliseconds(50)
        settings.membership.pushPullInterval = .seconds(3)
        settings.membership.reconnectInterval = .seconds(1)
        settings.membership.joinRetryInterval = .milliseconds(200)
        return settings
    }

    static func start(_ settings: GossipSettings, into list: ServiceList) async throws -> GossipService {
        var logger = Logger(label: "gossip-test")
        logger.logLevel = .critical
        let service = try await GossipService.start(
            settings: settings,
            group: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        list.add(service)
        return service
    }

    /// Waits until `condition` holds for what `service` sees, or fails after `deadline`.
    static func waitUntil(
        _ service: GossipService,
        within deadline: Duration = .seconds(15),
        _ description: String,
        _ condition: ([Member]) -> Bool
    ) async throws {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if condition(await service.members()) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record(
            "\(service.identity.name): not within \(deadline): \(description); sees \(await service.members())"
        )
        throw WaitFailed()
    }

    struct WaitFailed: Error {}

    /// Runs `body` with a list of started services, and stops them all afterwards, whatever happens.
    static func withServices(_ body: (ServiceList) async throws -> Void) async throws {
        let list = ServiceList()
        do {
            try await body(list)
        } catch {
            for service in list.all { await service.stop() }
            throw error
        }
        for service in list.all { await service.stop() }
    }

    static func states(_ members: [Member]) -> [String: MemberState] {
        Dictionary(uniqueKeysWithValues: members.map { ($0.name, $0.state) })
    }

    @Test("three nodes join through one seed and see each other alive")
    func threeNodes_joinThroughOneSeed() async throws {
        try await Self.withServices { nodes in
            let seed = try await Self.start(Self.settings("a"), into: nodes)
            let b = try await Self.start(Self.settings("b", seeds: [seed.identity.address]), into: nodes)
            let c = try await Self.start(Self.settings("c", seeds: [seed.identity.address]), into: nodes)
            for node in [seed, b, c] {
                try await Self.waitUntil(node, "all three alive") { members in
                    Self.states(members) == ["a": .alive, "b": .alive, "c": .alive]
                }
            }
        }
    }

    @Test("a stopped node is declared dead by the others; restarted, it is alive again with a new boot id")
    func killedNode_isDeclaredDead_thenRestartsAsNewBoot() async throws {
        try await Self.withServices { nodes in
            let a = try await Self.start(Self.settings("a"), into: nodes)
            let b = try await Self.start(Self.settings("b", seeds: [a.identity.address]), into: nodes)
            let c = try await Self.start(Self.settings("c", seeds: [a.identity.address]), into: nodes)
            try await Self.waitUntil(a, "c alive") { Self.states($0)["c"] == .alive }
            try await Self.waitUntil(b, "c alive") { Self.states($0)["c"] == .alive }
            let firstBoot = c.identity.bootID
            let address = c.identity.address

            await c.stop()  // no leave: to the others it simply stops answering
            for node in [a, b] {
                try await Self.waitUntil(node, "c dead") { Self.states($0)["c"] == .dead }
            }

            var restarted = Self.settings("c", seeds: [a.identity.address])
            restarted.listenPort = Int(address.split(separator: ":").last!)!
            let cRestarted = try await Self.start(restarted, into: nodes)
            #expect(cRestarted.identity.bootID != firstBoot)
            for node in [a, b] {
                try await Self.waitUntil(node, "c alive with its new boot") { members in
                    members.contains { $0.name == "c" && $0.state == .alive && $0.bootID == cRestarted.identity.bootID }
                }
            }
            #expect(await a.members().count == 3, "a restart replaces the member, it does not add one")
        }
    }

    @Test("a node with another secret is never admitted, and its messages are counted as rejected")
    func wrongSecret_isNeverAdmitted() async throws {
        try await Self.withServices { nodes in
            let a = try await Self.start(Self.settings("a"), into: nodes)
            let b = try await Self.start(Self.settings("b", seeds: [a.identity.address]), into: nodes)
            let intruder = try await Self.start(
                Self.settings("x", seeds: [a.identity.address], secret: "guess"),
                into: nodes
            )
            try await Self.waitUntil(b, "a alive") { Self.states($0)["a"] == .alive }
            // The intruder retries its seed every 200 ms: wait for several rejections, then look.
            let end = ContinuousClock.now + .seconds(10)
            while a.statistics.rejectedUnauthenticated < 5, ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(a.statistics.rejectedUnauthenticated >= 5)
            #expect(Self.states(await a.members()) == ["a": .alive, "b": .alive])
            #expect(Self.states(await b.members()) == ["a": .alive, "b": .alive])
            #expect(Self.states(await intruder.members()) == ["x": .alive])
        }
    }

    @Test("a node of another cluster with the same secret is ignored")
    func otherClusterName_isIgnored() async throws {
        try await Self.withServices { nodes in
            let a = try await Self.start(Self.settings("a"), into: nodes)
            let other = try await Self.start(
                Self.settings("o", seeds: [a.identity.address], cluster: "elsewhere"),
                into: nodes
            )
            let end = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < end {
                #expect(Self.states(await a.members()) == ["a": .alive])
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(Self.states(await other.members()) == ["o": .alive])
        }
    }

    @Test("a node that leaves is seen as left, not dead")
    func leavingNode_isSeenAsLeft() async throws {
        try await Self.withServices { nodes in
            let a = try await Self.start(Self.settings("a"), into: nodes)
            let b = try await Self.start(Self.settings("b", seeds: [a.identity.address]), into: nodes)
            try await Self.waitUntil(a, "b alive") { Self.states($0)["b"] == .alive }
            await b.leave()
            try await Self.waitUntil(a, within: .seconds(2), "b left") { Self.states($0)["b"] == .left }
        }
    }
}

/// The services a test started, for stopping them at the end.
final class ServiceList: @unchecked Sendable {
    private var services: [GossipService] = []
    func add(_ service: GossipService) { services.append(service) }
    var all: [GossipService] { services }
}
