/// A first-in first-out queue on an array with a moving head (amortised O(1)).
///
/// "Bounded" by its users: every queue in FlashSale checks its own limit
/// before appending. Package-wide (not public API): the load driver uses it too.
package struct FIFO<Element> {
    private var storage: [Element] = []
    private var head = 0

    package init() {}

    package var count: Int { storage.count - head }
    package var isEmpty: Bool { head == storage.count }
    package var first: Element? { head < storage.count ? storage[head] : nil }

    package mutating func append(_ element: Element) { storage.append(element) }

    @discardableResult
    package mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    package mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    /// Visits elements front to back while `body` returns true.
    package func forEachWhile(_ body: (Element) -> Bool) {
        var index = head
        while index < storage.count {
            if !body(storage[index]) { return }
            index += 1
        }
    }
}
