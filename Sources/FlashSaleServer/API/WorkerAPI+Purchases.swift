import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop

/// `POST /v1/sales/{sale}/purchases`: the hot path.
extension WorkerAPI {
    func purchase(_ request: HTTPRequest, _ responder: HTTPResponder) {
        if let limited = limitAddress(request) {
            metrics.countPurchase(.rateLimited)
            return respond(limited, responder)
        }
        // The user id as bytes: straight from the header in trusted-gateway mode (no String).
        if settings.trustUserHeader, let header = request.header("X-User-Id") {
            guard IdentifierRules.isValidUser(header.bytes) else {
                metrics.countPurchase(.unauthorized)
                return respond(Self.badUserHeader, responder)
            }
            return purchase(user: header.bytes, request, responder)
        }
        switch authenticateBuyer(request) {
        case .success(var user):
            user.withUTF8 { purchase(user: UnsafeRawBufferPointer($0), request, responder) }
        case .failure(let error):
            metrics.countPurchase(.unauthorized)
            respond(error, responder)
        }
    }

    /// The rest of a purchase once the buyer is known: user limit, sale, body, key, the
    /// core's decision. Works on slices of the request (no String, no allocation) unless
    /// the answer has to wait (a lease, Redis) or is an error other than the core's refusals.
    private func purchase(user: UnsafeRawBufferPointer, _ request: HTTPRequest, _ responder: HTTPResponder) {
        if userLimiter.policy.isEnabled, case .limited(let seconds) = userLimiter.admit(bytes: user, nowMillis: loop.nowMillis) {
            metrics.countPurchase(.rateLimited)
            return respond(Self.userLimited(seconds), responder)
        }
        guard let sale = request.parameter(at: 0)?.bytes, IdentifierRules.isValidName(sale) else {
            metrics.countPurchase(.badRequest)
            return respond(Self.badSaleParameter, responder)
        }
        let body: (sku: UnsafeRawBufferPointer, qty: Int)
        do throws(BadRequest) {
            body = try PurchaseBody.scan(request.body.bytes)
        } catch {
            metrics.countPurchase(.badRequest)
            return respond(APIError(.badRequest, error.message), responder)
        }
        let key = request.header("Idempotency-Key")?.bytes
        if let key, !IdentifierRules.isValidUser(key) {
            metrics.countPurchase(.badRequest)
            return respond(Self.badIdempotencyKey, responder)
        }
        let progress = engine.purchase(
            saleUTF8: sale, skuUTF8: body.sku, userUTF8: user, qty: body.qty, idempotencyKeyUTF8: key,
            waiter: {
                // Only an answer that waits pays for a closure and a copy of the sale id.
                let saleName = String(decoding: sale, as: UTF8.self)
                return { [unowned self] decision in self.answerPurchase(decision, sale: saleName, responder) }
            })
        if case .decided(let decision) = progress {
            answerPurchase(decision, saleUTF8: sale, responder)
        }
    }

    /// Maps the core's (or Redis's) final decision to the HTTP answer.
    func answerPurchase(_ decision: PurchaseDecision, sale: String, _ responder: HTTPResponder) {
        var sale = sale
        sale.withUTF8 { answerPurchase(decision, saleUTF8: UnsafeRawBufferPointer($0), responder) }
    }

    /// Maps a decision to the HTTP answer; `saleUTF8` is the sale id echoed in a `201`.
    func answerPurchase(_ decision: PurchaseDecision, saleUTF8 sale: UnsafeRawBufferPointer, _ responder: HTTPResponder) {
        switch decision {
        case .reserved(let order), .duplicate(let order):
            let replayed: Bool
            if case .duplicate = decision { replayed = true } else { replayed = false }
            metrics.countPurchase(replayed ? .replayed : .created)
            // The stored SKU String (no copy), price × qty (the bounds keep it in 64 bits)
            // and the sale's 3-letter currency.
            let terms = engine.shard.terms(of: order.sku, quantity: order.qty)
            let sku = terms?.sku ?? ""
            let amount = terms?.amount ?? 0
            let currency = terms?.currency ?? CurrencyCode.Letters(CurrencyCode.none)
            // Written straight into the output buffer (same bytes as the JSONBuffer would
            // give: ids, sale and SKU are validated plain ASCII; the SKU is escaped anyway).
            responder.respond(.created, contentType: .json, headers: { headers in
                order.id.withUTF8 { id in headers.add("Location", prefix: "/v1/orders/", id) }
                if replayed { headers.add("Idempotent-Replayed", "true") }
            }, body: { body in
                body.append(#"{"order_id":""#)
                order.id.withUTF8 { body.append(bytes: $0) }
                body.append(#"","status":"reserved","sale":""#)
                body.append(bytes: sale)
                body.append(#"","sku":"#)
                var skuText = sku
                skuText.withUTF8 { raw in
                    // Stored SKUs passed IdentifierRules at PUT: plain bytes, one copy.
                    if IdentifierRules.isValidName(UnsafeRawBufferPointer(raw)) {
                        body.append(byte: UInt8(ascii: "\""))
                        body.append(bytes: UnsafeRawBufferPointer(raw))
                        body.append(byte: UInt8(ascii: "\""))
                    } else {
                        body.appendJSONString(sku)
                    }
                }
                body.append(#","qty":"#)
                body.append(decimal: order.qty)
                body.append(#","amount":"#)
                body.append(decimal: Int(amount))
                body.append(#","currency":""#)
                body.append(byte: currency.first)  // validated A-Z
                body.append(byte: currency.second)
                body.append(byte: currency.third)
                body.append(#"","expires_at":""#)
                // Formatted on the stack, then one copy (not 24 calls across the module).
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
                    var count = 0
                    RFC3339.format(order.expiresAtMillis) { byte in
                        digits[count] = byte
                        count += 1
                    }
                    body.append(bytes: UnsafeRawBufferPointer(start: digits.baseAddress, count: count))
                }
                body.append(#""}"#)
            })
        case .soldOut, .limitExceeded, .saleNotStarted, .saleEnded, .saleNotFound, .skuNotFound,
             .idempotencyKeyReused, .invalidQuantity:
            refuse(decision.refusal, responder)
        case .overloaded, .parked:
            // `.parked` never reaches here (the engine resolves it); treat it as overload if it did.
            metrics.countPurchase(.overloaded)
            respond(APIError(.overloaded, "the server is overloaded, retry later",
                             retryAfterSeconds: settings.overloadRetryAfterSeconds),
                    responder)
        }
    }

    /// A refusal the core decided: its body is one of the constant ``RefusalBodies``,
    /// copied straight into the connection's output buffer (no allocation: this is the
    /// answer most buyers of a sold-out burst get).
    private func refuse(_ refusal: (code: APIErrorCode, outcome: PurchaseOutcome), _ responder: HTTPResponder) {
        metrics.countPurchase(refusal.outcome)
        let status = refusal.code.status
        responder.respond(status, contentType: .json, body: refusalBodies.body(refusal.code))
    }
}
