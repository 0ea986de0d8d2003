import NIOCore

/// A first-in first-out queue that allocates nothing until its first element arrives.
///
/// Every session has two (the inflight order and the queue behind the window), and most
/// sessions never use them: an empty `CircularBuffer` already holds storage for 16 elements.
/// Once used, the storage is kept, so a session that delivers steadily does not allocate per
/// message; ``removeAll()`` gives it back.
struct DeferredQueue<Element> {
    private var storage: CircularBuffer<Element>?

    init() {}

    var isEmpty: Bool { storage?.isEmpty ?? true }
    var count: Int { storage?.count ?? 0 }
    var first: Element? { storage?.first }

    mutating func append(_ element: Element) {
        if storage == nil {
            storage = CircularBuffer(initialCapacity: 4)
        }
        storage!.append(element)
    }

    /// Removes and returns the first element; nil when empty.
    mutating func popFirst() -> Element? {
        storage?.popFirst()
    }

    /// Removes the first element, which must exist.
    @discardableResult
    mutating func removeFirst() -> Element {
        storage!.removeFirst()
    }

    mutating func removeAll() {
        storage = nil
    }

    /// The elements, first to last.
    var elements: [Element] { storage.map(Array.init) ?? [] }

    /// The elements, first to last, transformed; those `transform` maps to nil are left out.
    func compactMap<Result>(_ transform: (Element) throws -> Result?) rethrows -> [Result] {
        try storage?.compactMap(transform) ?? []
    }
}

extension DeferredQueue where Element: Equatable {
    /// Removes the first element equal to `element`, if any.
    mutating func remove(_ element: Element) {
        guard let index = storage?.firstIndex(of: element) else { return }
        storage!.remove(at: index)
    }
}
