import FlashSaleCore
import FlashSaleLoop

extension WorkerEngine {
    /// Decides a purchase from UTF-8 bytes (slices of an HTTP read buffer, needed only
    /// during the call) and returns a decision known now (the common case: sold out,
    /// refused, or reserved under `--ack reserved`) without allocating. Only when the
    /// answer must wait (parked for a lease, `--ack persisted`, a limit check against the
    /// store) is `waiter` called, once, for the completion that gets the final answer
    /// later, on the loop thread; the result is then ``PurchaseProgress/waiting``.
    ///
    /// Answers `overloaded` while the store is not up, the engine is not ready or is
    /// stopping.
    public func purchase(
        saleUTF8: UnsafeRawBufferPointer, skuUTF8: UnsafeRawBufferPointer, userUTF8: UnsafeRawBufferPointer,
        qty: Int, idempotencyKeyUTF8: UnsafeRawBufferPointer?, waiter: () -> (PurchaseDecision) -> Void
    ) -> PurchaseProgress {
        stats.requests += 1
        guard isReady else {
            stats.count(.overloaded)
            return .decided(.overloaded)
        }
        let decision = shard.purchase(
            saleUTF8: saleUTF8, skuUTF8: skuUTF8, userUTF8: userUTF8, qty: qty,
            idempotencyKeyUTF8: idempotencyKeyUTF8, now: EventLoop.wallClockMillis())
        if decision == .limitExceeded {
            // Rare path: Strings only here.
            let sale = String(decoding: saleUTF8, as: UTF8.self)
            if limits.shouldVerify(sale: sale, qty: qty) {
                limits.verify(
                    sale: sale, sku: String(decoding: skuUTF8, as: UTF8.self), user: String(decoding: userUTF8, as: UTF8.self),
                    qty: qty, idempotencyKey: idempotencyKeyUTF8.map { String(decoding: $0, as: UTF8.self) }, waiter())
                return .waiting
            }
        }
        guard acks.mustWait(decision) else {
            stats.count(decision)
            return .decided(decision)
        }
        acks.route(decision, waiter())
        return .waiting
    }

    /// The same from Strings, answering through `completion` (exactly once, on the loop
    /// thread, never `.parked`; possibly before returning).
    public func purchase(
        sale: String, sku: String, user: String, qty: Int, idempotencyKey: String?,
        completion: @escaping (PurchaseDecision) -> Void
    ) {
        var sale = sale, sku = sku, user = user
        var key = idempotencyKey
        let progress = sale.withUTF8 { saleBytes in
            sku.withUTF8 { skuBytes in
                user.withUTF8 { userBytes in
                    let withKey = { (keyBytes: UnsafeRawBufferPointer?) in
                        self.purchase(
                            saleUTF8: UnsafeRawBufferPointer(saleBytes), skuUTF8: UnsafeRawBufferPointer(skuBytes),
                            userUTF8: UnsafeRawBufferPointer(userBytes), qty: qty, idempotencyKeyUTF8: keyBytes,
                            waiter: { completion })
                    }
                    if key != nil { return key!.withUTF8 { withKey(UnsafeRawBufferPointer($0)) } }
                    return withKey(nil)
                }
            }
        }
        if case .decided(let decision) = progress { completion(decision) }
    }
}

/// What a purchase came to when ``WorkerEngine/purchase(saleUTF8:skuUTF8:userUTF8:qty:idempotencyKeyUTF8:waiter:)``
/// returned.
public enum PurchaseProgress: Sendable {
    /// The final answer, known now (the waiter was not called).
    case decided(PurchaseDecision)
    /// The answer comes later, through the completion the waiter returned.
    case waiting
}
