/// A binary min-heap of simulation events ordered by `(deadline, sequence)`: simultaneous events run in the order
/// they were scheduled, so a run is a pure function of its seed.
struct EventQueue<Event> {
    private struct Entry {
        var deadline: Duration
        var sequence: UInt64
        var event: Event

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextDeadline: Duration? { heap.first?.deadline }

    mutating func push(_ event: Event, at deadline: Duration) {
        nextSequence += 1
        heap.append(Entry(deadline: deadline, sequence: nextSequence, event: event))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (deadline: Duration, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let entry = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (entry.deadline, entry.event)
    }
}
