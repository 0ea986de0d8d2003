import NIOCore

/// The timers of one event loop's connections, checked together: a pass over them every
/// ``interval`` instead of one scheduled callback per connection. An idle connection then costs
/// the loop one slot in an array, not an entry in its task queue; a connect timeout or keep alive
/// expiry is noticed at most one interval late, which MQTT's "one and a half times the keep alive"
/// easily absorbs.
///
/// `@unchecked Sendable`: confined to its event loop, where its pass is scheduled. The pass runs
/// only while the loop has connections.
final class ConnectionTimers: @unchecked Sendable {
    static let interval = TimeAmount.milliseconds(250)

    private let eventLoop: any EventLoop
    private var members: [ClientConnection] = []
    private var isRunning = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func add(_ connection: ClientConnection) {
        guard connection.timerSlot < 0 else { return }
        connection.timerSlot = members.count
        members.append(connection)
        if !isRunning {
            isRunning = true
            scheduleNextPass()
        }
    }

    func remove(_ connection: ClientConnection) {
        let slot = connection.timerSlot
        guard slot >= 0, slot < members.count, members[slot] === connection else { return }
        let last = members.removeLast()
        if slot < members.count {
            members[slot] = last
            last.timerSlot = slot
        }
        connection.timerSlot = -1
    }

    private func scheduleNextPass() {
        eventLoop.scheduleTask(in: Self.interval) { self.pass() }
    }

    private func pass() {
        let now = eventLoop.now
        var index = 0
        while index < members.count {
            let connection = members[index]
            if let due = connection.timerDue, now >= due {
                connection.timerFired()
            }
            // A connection that closed took itself out, and the last one moved into its slot.
            if index < members.count, members[index] === connection { index += 1 }
        }
        if members.isEmpty {
            isRunning = false
        } else {
            scheduleNextPass()
        }
    }
}
