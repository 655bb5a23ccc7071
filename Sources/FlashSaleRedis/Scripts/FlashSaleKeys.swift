/// The Redis key names of one sale (see `docs/redis-schema.md`).
///
/// Every key of a sale carries the hash tag `{sale}` so the whole sale lives on
/// one Redis Cluster slot and every script can touch all of its keys atomically.
public struct FlashSaleKeys: Sendable, Hashable {
    /// The schema version written to `fs:schema` and to each new sale's hash. Schema 3
    /// differs from 2 in its keyed orders only (an id derived from the key, no
    /// `fs:{S}:idem` entry, records without the key); a sale keeps the schema it was
    /// created with.
    public static let schemaVersion = 3
    /// The `schema` values of sale hashes this engine serves (1 needs `flashsale migrate`).
    public static let servedSaleSchemas: Set<String> = ["2", "3"]
    /// The global key holding the schema version.
    public static let schema = "fs:schema"

    /// The sale id (`S` in `fs:{S}:…`).
    public let sale: String
    /// `fs:{S}:` — the prefix every key of the sale starts with.
    public let prefix: String

    /// Key names for the sale `sale`; check ids with `isValidIdentifier` first.
    public init(sale: String) {
        self.sale = sale
        self.prefix = "fs:{" + sale + "}:"
    }

    /// `fs:{S}:sale`: hash, the sale's configuration.
    public var saleHash: String { prefix + "sale" }
    /// `fs:{S}:idem`: hash, `<len(user)>:<user>:<key>` → order id.
    public var idempotency: String { prefix + "idem" }
    /// `fs:{S}:expiry`: sorted set of expiry seconds: member = a second `T` (Unix s) for
    /// which reservations expire, score = `T × 1000` (ms). Its orders are in ``expiry(second:)``.
    public var expiry: String { prefix + "expiry" }
    /// `fs:{S}:expiry:{T}`: list, ids of the orders reserved with `expires_at` in second `T`
    /// (in flush order; an order paid or cancelled stays until the sweep drops it).
    public func expiry(second: Int64) -> String { prefix + "expiry:" + String(second) }
    /// `fs:{S}:events`: stream of order events, one entry per event type and batch.
    public var events: String { prefix + "events" }
    /// `fs:{S}:holders`: hash, worker id → last heartbeat (ms) of every lease holder (scale-out).
    public var holders: String { prefix + "holders" }
    /// `fs:{S}:dead`: stream of events the relay gave up on.
    public var deadLetters: String { prefix + "dead" }
    /// `fs:{S}:pool:{sku}`: string (integer), units not leased to any worker.
    public func pool(_ sku: String) -> String { prefix + "pool:" + sku }
    /// `fs:{S}:leases:{sku}`: hash, worker id → units leased and not yet sold.
    public func leases(_ sku: String) -> String { prefix + "leases:" + sku }
    /// `fs:{S}:counts:{sku}`: hash of unit counters (`total`, `reserved`, `paid`, …).
    public func counts(_ sku: String) -> String { prefix + "counts:" + sku }
    /// `fs:{S}:buyers:{sku}`: hash, user → units held (reserved + paid).
    public func buyers(_ sku: String) -> String { prefix + "buyers:" + sku }
    /// `fs:{S}:orders`: hash, order id → packed order record (``OrderRecordText``).
    public var orders: String { prefix + "orders" }

    /// Schema 1's `fs:{S}:order:{id}` (a hash per order): read only by `flashsale migrate`.
    public func schema1Order(_ id: String) -> String { prefix + "order:" + id }
    /// `SCAN MATCH` pattern of schema 1's order hashes.
    public var schema1OrderPattern: String { schema1Order("*") }
    /// Where `flashsale migrate` parks schema 1's expiry set (order id → expires_at) while
    /// it converts a sale; deleted when the sale is done.
    public var schema1Expiry: String { prefix + "expiry-v1" }

    /// `fs:node:{id}`: hash of one node's live stats (written by the engine, with a TTL).
    public static func node(_ id: String) -> String { nodePrefix + id }
    /// What every `fs:node:{id}` key starts with.
    public static let nodePrefix = "fs:node:"
    /// `SCAN MATCH` pattern of every `fs:node:{id}` key.
    public static let nodePattern = nodePrefix + "*"
    /// `fs:sales`: set of sale ids, so nodes load the sales at start and follow changes
    /// made through other nodes.
    public static let sales = "fs:sales"
    /// `fs:audit`: stream of admin actions (who changed which sale, from where).
    public static let audit = "fs:audit"
    /// `SCAN MATCH` pattern of every `fs:{S}:sale` key.
    public static let saleHashPattern = "fs:{*}:sale"

    /// The sale id of an `fs:{S}:sale` key (nil for any other key).
    public static func sale(ofSaleHashKey key: String) -> String? {
        guard key.hasPrefix("fs:{"), key.hasSuffix("}:sale") else { return nil }
        return String(key.dropFirst(4).dropLast(6))
    }

    /// The consumer group the relay reads `fs:{S}:events` with.
    public static let relayGroup = "fs-relay"

    /// The worker id of a node stats key (`fs:node:{id}` → `id`); nil for any other key.
    public static func nodeID(fromNodeKey key: String) -> String? {
        guard key.hasPrefix(nodePrefix), key.utf8.count > nodePrefix.utf8.count else { return nil }
        return String(key.dropFirst(nodePrefix.count))
    }

    /// The field of `fs:{S}:idem` for a user's idempotency key.
    ///
    /// Length-prefixed so that no pair of (user, key) can collide, whatever they contain.
    public static func idempotencyField(user: String, key: String) -> String {
        String(user.utf8.count) + ":" + user + ":" + key
    }

    /// Whether `text` is safe as a sale id, SKU, user id, order id or worker id in a key:
    /// 1…128 bytes of `A-Z a-z 0-9 . _ - : /` (no braces, so hash tags stay intact;
    /// no commas, which separate SKUs in the sale hash).
    public static func isValidIdentifier(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 128 else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "/"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
