import FlashSaleRedis

/// One stream entry as Redis returns it: its id and its fields (nil: the entry was
/// trimmed or deleted while pending).
struct StreamEntry {
    let id: String
    let fields: [(String, String)]?

    /// The entries of a list reply (`[[id, [field, value, …]], …]`).
    static func list(_ value: RedisValue) -> [StreamEntry] {
        value.elements.compactMap { item in
            let parts = item.elements
            guard parts.count == 2, let id = parts[0].string else { return nil }
            if case .null = parts[1] { return StreamEntry(id: id, fields: nil) }
            return StreamEntry(id: id, fields: parts[1].fieldPairs)
        }
    }

    /// The entries of an `XREADGROUP` reply for one stream (`nil` reply: none).
    static func readGroup(_ value: RedisValue) -> [StreamEntry] {
        guard let stream = value.elements.first?.elements, stream.count == 2 else { return [] }
        return list(stream[1])
    }

    /// An `XAUTOCLAIM` reply: the next cursor, the entries claimed, the ids that no longer exist.
    static func autoclaim(_ value: RedisValue) -> (cursor: String, entries: [StreamEntry], deleted: [String])? {
        let parts = value.elements
        guard parts.count >= 2, let cursor = parts[0].string else { return nil }
        let deleted = parts.count >= 3 ? parts[2].elements.compactMap(\.string) : []
        return (cursor, list(parts[1]), deleted)
    }
}
