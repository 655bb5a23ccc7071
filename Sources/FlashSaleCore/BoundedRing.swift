/// A FIFO ring with a hard capacity that grows its storage (doubling) only up to that
/// capacity, so it allocates nothing once it has reached its working size.
struct BoundedRing<Element> {
    private var storage: ContiguousArray<Element?> = []
    private var head = 0
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var isEmpty: Bool { count == 0 }
    /// Slots allocated now (grows up to `capacity`).
    var storageCapacity: Int { storage.count }
    var isFull: Bool { count >= capacity }

    /// Appends at the tail; returns false (and drops nothing) when full.
    @discardableResult
    mutating func append(_ element: Element) -> Bool {
        if count >= capacity { return false }
        if count == storage.count { grow() }
        var tail = head &+ count
        if tail >= storage.count { tail &-= storage.count }
        storage[tail] = element
        count &+= 1
        return true
    }

    /// Inserts at the head; returns false when full.
    @discardableResult
    mutating func prepend(_ element: Element) -> Bool {
        if count >= capacity { return false }
        if count == storage.count { grow() }
        head = head == 0 ? storage.count - 1 : head - 1
        storage[head] = element
        count &+= 1
        return true
    }

    var first: Element? { count == 0 ? nil : storage[head] }

    mutating func removeFirst() -> Element? {
        if count == 0 { return nil }
        let element = storage[head]
        storage[head] = nil
        head &+= 1
        if head == storage.count { head = 0 }
        count &-= 1
        return element
    }

    private mutating func grow() {
        let newSize = min(capacity, max(16, storage.count * 2))
        var grown = ContiguousArray<Element?>()
        grown.reserveCapacity(newSize)
        for offset in 0..<count {
            var index = head + offset
            if index >= storage.count { index -= storage.count }
            grown.append(storage[index])
        }
        while grown.count < newSize { grown.append(nil) }
        storage = grown
        head = 0
    }
}
