import ClusterProtocol
import NIOCore

/// The QoS 1/2 forwards to one peer that it has not acknowledged yet, kept so a brief link drop loses
/// nothing: replayed when the link comes back to the same boot of the peer. Bounded by count and age;
/// every message dropped to stay within the bounds is counted.
struct ForwardReplayBuffer {
    struct Entry {
        var message: PeerFrame.ForwardedMessage
        var sentAt: NIODeadline
    }

    let capacity: Int
    let maximumAge: TimeAmount
    /// The peer boot these ids were sent to; a new boot starts afresh.
    var peerBootID: UInt64?
    private(set) var entries: [Entry] = []
    private var head = 0
    private(set) var nextID: UInt64 = 1
    private(set) var dropped: UInt64 = 0

    init(capacity: Int, maximumAge: TimeAmount) {
        self.capacity = capacity
        self.maximumAge = maximumAge
    }

    var count: Int { entries.count - head }

    /// Gives `message` the next id and keeps it until acknowledged.
    mutating func record(_ message: inout PeerFrame.ForwardedMessage, now: NIODeadline) {
        message.id = nextID
        nextID &+= 1
        guard capacity > 0 else { return }  // replay turned off: acknowledged, never kept
        if count >= capacity {
            head += 1
            dropped &+= 1
        }
        entries.append(Entry(message: message, sentAt: now))
        compact()
    }

    mutating func acknowledge(upTo id: UInt64) {
        while head < entries.count, entries[head].message.id <= id { head += 1 }
        compact()
    }

    /// What to send again on a new link, oldest first; entries past the age limit are dropped and counted.
    mutating func replay(now: NIODeadline) -> [PeerFrame.ForwardedMessage] {
        while head < entries.count, now - entries[head].sentAt > maximumAge {
            head += 1
            dropped &+= 1
        }
        compact()
        return entries[head...].map(\.message)
    }

    /// The peer restarted or left: what it had not acknowledged is lost to it.
    mutating func discardAll() {
        dropped &+= UInt64(count)
        entries.removeAll()
        head = 0
    }

    private mutating func compact() {
        if head > 1024, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
