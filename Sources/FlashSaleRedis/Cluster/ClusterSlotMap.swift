/// Which master serves each of the 16384 slots of a Redis Cluster, parsed from a
/// `CLUSTER SLOTS` reply. Pure Swift; one byte per slot.
public struct ClusterSlotMap: Sendable, Equatable {
    /// The masters, each once, in the order the reply first named them.
    public private(set) var masters: [RedisEndpoint] = []
    /// Slot → index into ``masters``; ``unassigned`` where no master serves it.
    private var owners: [UInt8]
    private static let unassigned: UInt8 = .max

    /// An empty map (every slot unassigned).
    public init() {
        owners = Array(repeating: Self.unassigned, count: RedisSlot.count)
    }

    /// Parses `CLUSTER SLOTS` (`[[start, end, [host, port, id, …], replica…], …]`).
    /// Masters get `template`'s user, password and database; an empty host (Redis 7 when
    /// the node does not know its address) means `answeredBy`'s host. Throws
    /// ``RedisError/server(_:)`` on a reply of another shape.
    public init(slotsReply: RedisValue, answeredBy: RedisEndpoint) throws(RedisError) {
        self.init()
        guard case .array(let ranges) = slotsReply else { throw .server("CLUSTER SLOTS: not an array") }
        for range in ranges {
            let parts = range.elements
            guard parts.count >= 3, let start = parts[0].int, let end = parts[1].int,
                  let first = RedisSlot(Int(start)), let last = RedisSlot(Int(end)), first.value <= last.value
            else { throw .server("CLUSTER SLOTS: bad slot range \(range)") }
            let node = parts[2].elements
            guard node.count >= 2, let host = node[0].string, let port = node[1].int, (1...65535).contains(port)
            else { throw .server("CLUSTER SLOTS: bad node \(parts[2])") }
            var master = answeredBy
            master.host = host.isEmpty || host == "?" ? answeredBy.host : host
            master.port = Int(port)
            let index = try indexAdding(master)
            for slot in first.value...last.value { owners[slot] = index }
        }
    }

    /// The index in ``masters`` of the master serving `slot`, nil when unassigned.
    public func master(of slot: RedisSlot) -> Int? {
        let owner = owners[slot.value]
        return owner == Self.unassigned ? nil : Int(owner)
    }

    /// Whether every slot has a master (the cluster can serve every key).
    public var isComplete: Bool { !owners.contains(Self.unassigned) }

    /// Records that `master` now serves `slot` (a `MOVED` answer); returns its index.
    @discardableResult
    public mutating func assign(_ slot: RedisSlot, to master: RedisEndpoint) throws(RedisError) -> Int {
        let index = try indexAdding(master)
        owners[slot.value] = index
        return Int(index)
    }

    /// The slot ranges `masters[index]` serves, in order.
    public func ranges(of index: Int) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        var slot = 0
        while slot < RedisSlot.count {
            guard owners[slot] == index else { slot += 1; continue }
            let start = slot
            while slot + 1 < RedisSlot.count, owners[slot + 1] == index { slot += 1 }
            out.append(start...slot)
            slot += 1
        }
        return out
    }

    private mutating func indexAdding(_ master: RedisEndpoint) throws(RedisError) -> UInt8 {
        if let index = masters.firstIndex(where: { $0.host == master.host && $0.port == master.port }) {
            return UInt8(index)
        }
        guard masters.count < Int(Self.unassigned) else { throw .server("CLUSTER SLOTS: more than 254 masters") }
        masters.append(master)
        return UInt8(masters.count - 1)
    }
}

/// A `MOVED` or `ASK` error reply: the slot and the node to ask instead.
public struct ClusterRedirect: Sendable, Equatable {
    /// `MOVED` (the slot lives there now: update the map) or `ASK` (this one command,
    /// during a migration: send `ASKING` first).
    public enum Kind: Sendable, Equatable { case moved, ask }

    public var kind: Kind
    public var slot: RedisSlot
    /// The node's host ("" when Redis does not know it: the host of the node that answered).
    public var host: String
    public var port: Int

    /// Parses `MOVED 3999 127.0.0.1:6381` / `ASK 3999 [::1]:6381`; nil for any other message.
    public init?(errorMessage message: String) {
        let words = message.split(separator: " ", maxSplits: 3)
        guard words.count >= 3 else { return nil }
        switch words[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        guard let number = Int(words[1]), let slot = RedisSlot(number),
              let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...]),
              (1...65535).contains(port)
        else { return nil }
        var host = words[2][..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self.slot = slot
        self.host = String(host)
        self.port = port
    }

    /// The node to ask: `replier` (its credentials, and its host when the reply names none)
    /// with this redirect's host and port.
    public func endpoint(answeredBy replier: RedisEndpoint) -> RedisEndpoint {
        var endpoint = replier
        if !host.isEmpty { endpoint.host = host }
        endpoint.port = port
        return endpoint
    }
}
