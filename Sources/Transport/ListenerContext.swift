import Broker
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// What every connection of one listener shares, so that each connection holds one reference
/// instead of copies.
/// `@unchecked Sendable`: the per-shard timers are each touched on their own loop only.
final class ListenerContext: @unchecked Sendable {
    let broker: Broker
    let logger: Logger
    /// Where quiet connections wait; nil for connections that only ever live in a channel
    /// (tests on an `EmbeddedChannel`).
    let parkingLot: ParkingLot?
    /// How long a connection stays quiet in its channel before it is parked.
    let parkAfter: TimeAmount
    /// The listener's open connections; each is in it until it closes.
    let connections: ConnectionSet
    let counters = ParkingCounters()
    /// One per shard, by shard index; each is touched on its shard's loop only.
    private let timers: [ConnectionTimers]

    init(broker: Broker, logger: Logger, parkingLot: ParkingLot?, parkAfter: TimeAmount, connections: ConnectionSet) {
        self.broker = broker
        self.logger = logger
        self.parkingLot = parkingLot
        self.parkAfter = parkAfter
        self.connections = connections
        self.timers = broker.shards.map { ConnectionTimers(eventLoop: $0.eventLoop) }
    }

    /// The timers of `shard`'s connections. Only on that shard's loop.
    func timers(of shard: Shard) -> ConnectionTimers {
        timers[shard.index]
    }
}

/// How often connections moved between the parking lot and event loop channels.
public final class ParkingCounters: Sendable {
    private let values = NIOLockedValueBox(Values())

    public struct Values: Sendable, Equatable {
        /// Connections moved from a channel to the parking lot.
        public var parked = 0
        /// Connections given a channel again because they became busy.
        public var woken = 0
    }

    public var current: Values { values.withLockedValue { $0 } }

    func countParked() { values.withLockedValue { $0.parked += 1 } }
    func countWoken() { values.withLockedValue { $0.woken += 1 } }
}

/// The open connections of a listener, for shutdown and for counting.
final class ConnectionSet: Sendable {
    private let members = NIOLockedValueBox([ObjectIdentifier: ClientConnection]())

    func insert(_ connection: ClientConnection) {
        members.withLockedValue { $0[ObjectIdentifier(connection)] = connection }
    }

    func remove(_ connection: ClientConnection) {
        _ = members.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    var all: [ClientConnection] { members.withLockedValue { Array($0.values) } }
    var count: Int { members.withLockedValue { $0.count } }
}
