import FlashSaleRedis
import Foundation
import FlashSaleWorker

/// The verdict on one invariant.
public struct InvariantVerdict: Sendable, Codable, Equatable {
    /// PASS, FAIL, or SKIP (the check does not apply or lacks its input).
    public enum Status: String, Sendable, Codable {
        case pass = "PASS", fail = "FAIL", skip = "SKIP"
    }

    /// Stable id, e.g. `no_oversell`.
    public var id: String
    /// What is checked, in words.
    public var title: String
    /// The verdict.
    public var status: Status
    /// The figures behind it.
    public var detail: String
}

/// Checks DESIGN.md's invariants against what Redis holds (and what the driver saw).
public enum Oracle {
    /// Reads `sale` and checks every invariant. When demand exceeded stock and
    /// units are still leased, waits up to `settleSeconds` for the leases to be
    /// returned before judging undersell.
    public static func verify(
        sale: String, redis: RedisCommandRunner, evidence: DriverEvidence?,
        demandExceededStock: Bool? = nil, settleSeconds: Double = 0
    ) throws -> [InvariantVerdict] {
        var snapshot = try OracleSnapshot.read(sale: sale, from: redis)
        let exceeded = demandExceeded(snapshot: snapshot, evidence: evidence, override: demandExceededStock)
        if exceeded {
            // Leases come back to the pool a little after the last sale: wait while the
            // undersell check would fail because of them.
            let deadline = Date().addingTimeInterval(settleSeconds)
            while noUndersell(snapshot, demandExceededStock: true).status == .fail
                && snapshot.skus.contains(where: { $0.leased > 0 }) && Date() < deadline
            {
                Thread.sleep(forTimeInterval: 0.2)
                snapshot.skus = try snapshot.rereadCounters(from: redis)
            }
        }
        return check(snapshot, evidence: evidence, demandExceededStock: exceeded)
    }

    /// Whether buyers asked for more units than were on sale.
    static func demandExceeded(snapshot: OracleSnapshot, evidence: DriverEvidence?, override: Bool?) -> Bool {
        if let override { return override }
        guard let evidence else { return false }
        let total = snapshot.skus.reduce(Int64(0)) { $0 + $1.count("total") }
        return evidence.soldOutAnswers > 0 || Int64(evidence.unitsAsked) > total
    }

    /// Checks every invariant on a snapshot.
    public static func check(_ snapshot: OracleSnapshot, evidence: DriverEvidence?, demandExceededStock: Bool) -> [InvariantVerdict] {
        [
            noOversell(snapshot),
            conservation(snapshot),
            perUserLimit(snapshot),
            oneOrderPerKey(snapshot, evidence: evidence),
            ackedInRedis(snapshot, evidence: evidence),
            noUndersell(snapshot, demandExceededStock: demandExceededStock),
        ]
    }

    /// Units held (reserved + paid) per SKU according to the order hashes.
    static func heldByOrders(_ snapshot: OracleSnapshot) -> [String: Int64] {
        var held: [String: Int64] = [:]
        for order in snapshot.orders where order.holdsUnits { held[order.sku, default: 0] += order.qty }
        return held
    }

    static func noOversell(_ snapshot: OracleSnapshot) -> InvariantVerdict {
        perSKU(snapshot, id: "no_oversell", title: "never oversold (reserved + paid <= total)") { sku, inOrders in
            let total = sku.count("total")
            let counted = sku.count("reserved") + sku.count("paid")
            let line = "\(sku.sku): orders hold \(inOrders), counts reserved+paid \(counted), total \(total)"
            return (line, counted > total || inOrders > total)
        }
    }

    static func conservation(_ snapshot: OracleSnapshot) -> InvariantVerdict {
        perSKU(snapshot, id: "conservation", title: "total = pool + leases + reserved + paid (one MULTI)") { sku, inOrders in
            let total = sku.count("total")
            let reserved = sku.count("reserved")
            let paid = sku.count("paid")
            let sum = sku.pool + sku.leased + reserved + paid
            var failed = false
            var line = "\(sku.sku): total \(total) \(sum == total ? "=" : "!=") pool \(sku.pool) + leases \(sku.leased) + reserved \(reserved) + paid \(paid)"
            if sum != total { failed = true }
            if inOrders != reserved + paid {
                failed = true
                line += " (but orders hold \(inOrders) units)"
            }
            if sku.pool < 0 || sku.leased < 0 || reserved < 0 || paid < 0 {
                failed = true
                line += " (negative figure)"
            }
            return (line, failed)
        }
    }

    /// A verdict made of one line per SKU: `check` gets the SKU and the units its orders
    /// hold, and gives the line and whether the SKU fails the invariant.
    private static func perSKU(
        _ snapshot: OracleSnapshot, id: String, title: String,
        _ check: (OracleSnapshot.SKUState, Int64) -> (line: String, failed: Bool)
    ) -> InvariantVerdict {
        let held = heldByOrders(snapshot)
        var parts: [String] = []
        var failed = false
        for sku in snapshot.skus {
            let verdict = check(sku, held[sku.sku] ?? 0)
            if verdict.failed { failed = true }
            parts.append(verdict.line)
        }
        return InvariantVerdict(id: id, title: title, status: failed ? .fail : .pass, detail: parts.joined(separator: "; "))
    }

    static func perUserLimit(_ snapshot: OracleSnapshot) -> InvariantVerdict {
        let limit = snapshot.perUserLimit
        guard limit > 0 else {
            return InvariantVerdict(id: "per_user_limit", title: "no user holds more than per_user_limit units",
                                    status: .fail, detail: "the sale hash has no valid per_user_limit (it must be 1 or more)")
        }
        var over: [String] = []
        var users = 0
        var maxHeld: Int64 = 0
        for sku in snapshot.skus {
            var held: [String: Int64] = [:]
            for order in snapshot.orders where order.sku == sku.sku && order.holdsUnits {
                held[order.user, default: 0] += order.qty
            }
            users += held.count
            for (user, units) in held {
                maxHeld = max(maxHeld, units)
                if units > limit { over.append("\(user)@\(sku.sku) holds \(units) in orders") }
            }
            for (user, units) in sku.buyers where units > limit && (held[user] ?? 0) <= limit {
                over.append("\(user)@\(sku.sku) has \(units) in buyers")
            }
        }
        let detail = "limit \(limit); \(users) buyers, most held by one user \(maxHeld)"
            + (over.isEmpty ? "" : "; over the limit: " + sample(over))
        return InvariantVerdict(id: "per_user_limit", title: "no user holds more than per_user_limit units",
                                status: over.isEmpty ? .pass : .fail, detail: detail)
    }

    static func oneOrderPerKey(_ snapshot: OracleSnapshot, evidence: DriverEvidence?) -> InvariantVerdict {
        // A schema-2 record names its key; a schema-3 record does not (the id is derived from
        // it), so the key the driver sent for an acknowledged order stands in.
        var sentKey: [String: String] = [:]
        for order in evidence?.acked ?? [] where !order.key.isEmpty { sentKey[order.orderID] = order.key }
        var byKey: [String: [String]] = [:]
        for order in snapshot.orders {
            let key = order.idempotencyKey.isEmpty ? sentKey[order.id] ?? "" : order.idempotencyKey
            guard !key.isEmpty else { continue }
            byKey[FlashSaleKeys.idempotencyField(user: order.user, key: key), default: []].append(order.id)
        }
        var problems: [String] = []
        for (field, ids) in byKey where ids.count > 1 {
            problems.append("\(field) -> \(ids.sorted().joined(separator: ","))")
        }
        let ids = Set(snapshot.orders.map(\.id))
        var dangling = 0
        for (field, id) in snapshot.idempotency where !ids.contains(id) {
            dangling += 1
            if dangling <= 3 { problems.append("idem \(field) -> missing order \(id)") }
        }
        let conflicts = evidence?.conflictingAnswers ?? []
        problems += conflicts.map { "answers differ: \($0)" }
        let detail = "\(byKey.count) keyed orders, \(snapshot.idempotency.count) idem entries, "
            + "\(conflicts.count) conflicting answers" + (problems.isEmpty ? "" : "; " + sample(problems))
        return InvariantVerdict(id: "one_order_per_key", title: "one order per (user, Idempotency-Key)",
                                status: problems.isEmpty ? .pass : .fail, detail: detail)
    }

    static func ackedInRedis(_ snapshot: OracleSnapshot, evidence: DriverEvidence?) -> InvariantVerdict {
        let title = "every 201 the driver saw names an order in Redis"
        guard let evidence else {
            return InvariantVerdict(id: "acked_in_redis", title: title, status: .skip,
                                    detail: "no driver evidence (run verify with --evidence evidence.json)")
        }
        var orders: [String: OracleSnapshot.Order] = [:]
        for order in snapshot.orders { orders[order.id] = order }
        var missing: [String] = []
        var wrong: [String] = []
        for acked in evidence.acked {
            guard let order = orders[acked.orderID] else {
                missing.append(acked.orderID)
                continue
            }
            if order.user != acked.user || order.sku != acked.sku || order.qty != Int64(acked.qty) {
                wrong.append("\(acked.orderID) is \(order.user)/\(order.sku)x\(order.qty), answer said \(acked.user)/\(acked.sku)x\(acked.qty)")
            } else if acked.lastAckedStatus != "reserved" && order.status != acked.lastAckedStatus {
                wrong.append("\(acked.orderID) is \(order.status), answer said \(acked.lastAckedStatus)")
            }
        }
        var detail = "\(evidence.acked.count) acknowledged orders, \(missing.count) missing, \(wrong.count) differ"
        if !missing.isEmpty { detail += "; missing: " + sample(missing) }
        if !wrong.isEmpty { detail += "; " + sample(wrong) }
        if evidence.unknownPurchases > 0 { detail += "; \(evidence.unknownPurchases) purchases without an answer (not checked)" }
        return InvariantVerdict(id: "acked_in_redis", title: title,
                                status: missing.isEmpty && wrong.isEmpty ? .pass : .fail, detail: detail)
    }

    static func noUndersell(_ snapshot: OracleSnapshot, demandExceededStock: Bool) -> InvariantVerdict {
        let title = "no undersell when demand exceeded stock (after leases are returned)"
        var parts: [String] = []
        var failed = false
        var allSold = true
        for sku in snapshot.skus {
            let total = sku.count("total")
            let sold = sku.count("reserved") + sku.count("paid")
            let returned = sku.count("cancelled") + sku.count("expired")
            if sold < total { allSold = false }
            parts.append("\(sku.sku): sold \(sold)/\(total), pool \(sku.pool), leased \(sku.leased), returned by cancel/expiry \(returned)")
            guard demandExceededStock, sold < total else { continue }
            // Units returned by cancels and expiries may sit in the pool or be leased again
            // (nobody is left to buy them); anything unsold beyond them is undersold.
            let unsold = sku.pool + sku.leased
            guard unsold > returned else { continue }
            failed = true
            if sku.leased > 0 {
                parts.append("\(sku.sku): \(sku.leased) units still leased (\(unsold - returned) unsold beyond cancels and expiries)")
            } else {
                parts.append("\(sku.sku): \(unsold - returned) units unsold that no cancel or expiry explains")
            }
        }
        let status: InvariantVerdict.Status = failed ? .fail : (allSold || demandExceededStock ? .pass : .skip)
        var detail = parts.joined(separator: "; ")
        if !demandExceededStock { detail = "demand did not exceed stock; " + detail }
        return InvariantVerdict(id: "no_undersell", title: title, status: status, detail: detail)
    }

    private static func sample(_ items: [String]) -> String {
        let shown = items.sorted().prefix(5).joined(separator: ", ")
        return items.count > 5 ? shown + " … (\(items.count) in all)" : shown
    }
}
