import Topics

/// The tombstones of a ``RetainedTable``, oldest version first: a binary min-heap, so the table can expire or
/// drop its oldest tombstones without scanning every topic.
///
/// Entries go stale instead of being removed when a tombstone is replaced (a topic set again, or cleared by
/// a later write): the table checks each entry it takes out against the index, and ``compact(keeping:)``
/// clears stale entries out once they outnumber the live ones.
struct TombstoneQueue {
    struct Item {
        var version: RetainedVersion
        var topic: TopicName
    }

    private var heap: [Item] = []

    var count: Int { heap.count }

    /// The entry with the oldest version.
    var oldest: Item? { heap.first }

    mutating func insert(_ item: Item) {
        heap.append(item)
        siftUp(heap.count - 1)
    }

    @discardableResult
    mutating func removeOldest() -> Item? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let oldest = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return oldest
    }

    /// Keeps only the entries `isLive` accepts.
    mutating func compact(keeping isLive: (Item) -> Bool) {
        heap.removeAll { !isLive($0) }
        // Bottom-up heap construction: linear in the number of entries.
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].version < heap[parent].version else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var smallest = parent
            let left = 2 * parent + 1
            let right = left + 1
            if left < heap.count, heap[left].version < heap[smallest].version { smallest = left }
            if right < heap.count, heap[right].version < heap[smallest].version { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
