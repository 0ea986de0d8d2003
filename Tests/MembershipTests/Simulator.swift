import Membership

/// Drives N ``SWIMStateMachine``s on a virtual clock over a ``SimulatedNetwork``.
///
/// One seeded generator is the only source of randomness (network loss and delay, boot ids, and the seed of every
/// state machine), and events run in `(deadline, sequence)` order, so a run is reproducible from ``seed``. Ticks
/// are scheduled at each machine's `nextDeadline`, as a shell would.
struct Simulator {
    enum Event {
        case tick(node: Int)
        case deliver(GossipMessage, from: Int, to: Int)
        case pushPullRequest(PushPullPayload, from: Int, to: Int)
        case pushPullReply(PushPullPayload, from: Int, to: Int)
    }

    struct Node {
        var machine: SWIMStateMachine
        var isRunning = false
        var scheduledTick: Duration?
    }

    /// One event a machine reported, with whether it was a false positive: a live boot declared dead.
    struct Observation {
        var time: Duration
        var observer: Int
        var event: MembershipEvent
        var isFalseDeath: Bool
    }

    let seed: UInt64
    let configuration: MembershipConfiguration
    var random: SimulationRandom
    var network = SimulatedNetwork()
    private(set) var now: Duration = .zero
    private(set) var nodes: [Node] = []
    private(set) var observations: [Observation] = []
    /// Round-trip every datagram and push-pull through ``GossipCodec``; costs time, so only some tests do.
    var roundTripsThroughCodec = false
    /// Ticks after which a machine still had a deadline in the past: a timer it failed to advance. Must stay 0.
    private(set) var stalledTicks = 0
    private(set) var deliveredDatagrams = 0
    /// Called with every datagram as it is delivered: `(time, message, sender, receiver)`.
    var deliveryObserver: ((Duration, GossipMessage, Int, Int) -> Void)?
    private var queue = EventQueue<Event>()
    private var nodeByAddress: [String: Int] = [:]
    private let seedAddresses: [String]

    /// `count` nodes named `node-0`…, all knowing the nodes in `seedNodes` as seeds; none started yet.
    init(seed: UInt64, count: Int, configuration: MembershipConfiguration, seedNodes: [Int] = [0]) {
        self.seed = seed
        self.configuration = configuration
        self.random = SimulationRandom(seed: seed)
        self.seedAddresses = seedNodes.map(Self.address(of:))
        for index in 0..<count {
            nodes.append(Node(machine: makeMachine(index)))
            nodeByAddress[Self.address(of: index)] = index
        }
    }

    static func name(of index: Int) -> String { "node-\(index)" }
    static func address(of index: Int) -> String { "10.0.\(index / 256).\(index % 256):7946" }

    private mutating func makeMachine(_ index: Int) -> SWIMStateMachine {
        let identity = NodeIdentity(name: Self.name(of: index), bootID: random.next(), address: Self.address(of: index))
        var machineRandom = SimulationRandom(seed: random.next())
        return try! SWIMStateMachine(
            configuration: configuration,
            identity: identity,
            seeds: seedAddresses,
            random: &machineRandom
        )
    }

    // MARK: Control

    /// Starts node `index` now: its first tick runs at once.
    mutating func start(_ index: Int) {
        nodes[index].isRunning = true
        nodes[index].scheduledTick = nil
        reschedule(index)
    }

    mutating func startAll() {
        for index in nodes.indices { start(index) }
    }

    /// The node stops responding and ticking, as after a crash.
    mutating func kill(_ index: Int) {
        nodes[index].isRunning = false
    }

    /// The node restarts under the same name and address with a new boot id and a fresh state machine.
    mutating func restart(_ index: Int) {
        nodes[index].machine = makeMachine(index)
        start(index)
    }

    mutating func leave(_ index: Int) {
        let directives = nodes[index].machine.leave(now: now)
        perform(directives, of: index)
        reschedule(index)
    }

    /// Runs every event up to `now + duration`.
    mutating func run(for duration: Duration) {
        let end = now + duration
        while let deadline = queue.nextDeadline, deadline <= end {
            let (time, event) = queue.pop()!
            now = time
            handle(event, at: time)
        }
        now = end
    }

    /// Runs until `condition` holds, checking every `step`; returns the time it took, or nil at `limit`.
    mutating func run(
        until condition: (Simulator) -> Bool,
        step: Duration,
        limit: Duration
    ) -> Duration? {
        let start = now
        while now - start < limit {
            run(for: step)
            if condition(self) { return now - start }
        }
        return nil
    }

    // MARK: Events

    private mutating func handle(_ event: Event, at time: Duration) {
        switch event {
        case .tick(let index):
            guard nodes[index].isRunning, nodes[index].scheduledTick == time else { return }
            nodes[index].scheduledTick = nil
            let directives = nodes[index].machine.tick(now: time)
            perform(directives, of: index)
            if nodes[index].machine.nextDeadline <= time { stalledTicks += 1 }
            reschedule(index)
        case .deliver(let message, let sender, let receiver):
            guard nodes[receiver].isRunning, network.canReach(from: sender, to: receiver) else { return }
            deliveredDatagrams += 1
            deliveryObserver?(time, message, sender, receiver)
            let received =
                roundTripsThroughCodec ? try! GossipCodec.decodeMessage(GossipCodec.encode(message)) : message
            let directives = nodes[receiver].machine.receive(received, from: Self.address(of: sender), now: time)
            perform(directives, of: receiver)
            reschedule(receiver)
        case .pushPullRequest(let payload, let sender, let receiver):
            guard nodes[receiver].isRunning, network.canReach(from: sender, to: receiver) else { return }
            let received =
                roundTripsThroughCodec ? try! GossipCodec.decodePushPull(GossipCodec.encode(payload)) : payload
            let response = nodes[receiver].machine.receivePushPull(received, now: time)
            perform(response.directives, of: receiver)
            reschedule(receiver)
            if let reply = response.reply {
                queue.push(.pushPullReply(reply, from: receiver, to: sender), at: time + network.delay(using: &random))
            }
        case .pushPullReply(let payload, let sender, let receiver):
            guard nodes[receiver].isRunning, network.canReach(from: sender, to: receiver) else { return }
            let directives = nodes[receiver].machine.receivePushPullReply(payload, now: time)
            perform(directives, of: receiver)
            reschedule(receiver)
        }
    }

    private mutating func perform(_ directives: [MembershipDirective], of index: Int) {
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                guard let receiver = nodeByAddress[address] else { continue }
                if random.chance(network.lossRate) { continue }
                if let rule = network.dropRule, rule(message, index, receiver) { continue }
                queue.push(.deliver(message, from: index, to: receiver), at: now + network.delay(using: &random))
            case .startPushPull(let payload, let address):
                guard let receiver = nodeByAddress[address] else { continue }
                queue.push(
                    .pushPullRequest(payload, from: index, to: receiver),
                    at: now + network.delay(using: &random)
                )
            case .notify(let event):
                observations.append(
                    Observation(time: now, observer: index, event: event, isFalseDeath: isFalseDeath(event))
                )
            }
        }
    }

    private func isFalseDeath(_ event: MembershipEvent) -> Bool {
        guard case .memberDead(let member) = event, let index = nodeByAddress[member.address] else { return false }
        return nodes[index].isRunning && nodes[index].machine.identity.bootID == member.bootID
    }

    private mutating func reschedule(_ index: Int) {
        guard nodes[index].isRunning else { return }
        let deadline = max(nodes[index].machine.nextDeadline, now)
        if let scheduled = nodes[index].scheduledTick, scheduled <= deadline { return }
        nodes[index].scheduledTick = deadline
        queue.push(.tick(node: index), at: deadline)
    }
}
