/// Key names of one sale, as docs/redis-schema.md defines them (`fs:{S}:…`).
struct SaleKeys {
    let sale: String
    let prefix: String

    init(sale: String) {
        self.sale = sale
        prefix = "fs:{" + sale + "}:"
    }

    var saleHash: String { prefix + "sale" }
    var idempotency: String { prefix + "idem" }
    var orderPattern: String { prefix + "order:*" }
    func pool(_ sku: String) -> String { prefix + "pool:" + sku }
    func leases(_ sku: String) -> String { prefix + "leases:" + sku }
    func counts(_ sku: String) -> String { prefix + "counts:" + sku }
    func buyers(_ sku: String) -> String { prefix + "buyers:" + sku }
    func order(_ id: String) -> String { prefix + "order:" + id }

    /// The field of `fs:{S}:idem` for (user, key): `<len(user)>:<user>:<key>`.
    static func idempotencyField(user: String, key: String) -> String {
        String(user.utf8.count) + ":" + user + ":" + key
    }
}
