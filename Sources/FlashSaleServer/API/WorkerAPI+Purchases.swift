import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop

/// `POST /v1/sales/{sale}/purchases`: the hot path.
extension WorkerAPI {
    func purchase(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let started = EventLoop.monotonicNanos()
        if let limited = limitAddress(request) {
            metrics.countPurchase(.rateLimited)
            return respond(limited, responder, route: .purchase, startedAt: started)
        }
        let user: String
        switch authenticateBuyer(request) {
        case .success(let id): user = id
        case .failure(let error):
            metrics.countPurchase(.unauthorized)
            return respond(error, responder, route: .purchase, startedAt: started)
        }
        if let limited = limitUser(user) {
            metrics.countPurchase(.rateLimited)
            return respond(limited, responder, route: .purchase, startedAt: started)
        }
        let sale: String
        switch saleParameter(request) {
        case .success(let name): sale = name
        case .failure(let error):
            metrics.countPurchase(.badRequest)
            return respond(error, responder, route: .purchase, startedAt: started)
        }
        let body: PurchaseBody
        do throws(BadRequest) {
            body = try PurchaseBody.parse(request.body.bytes)
        } catch {
            metrics.countPurchase(.badRequest)
            return respond(APIError(.badRequest, error.message), responder, route: .purchase, startedAt: started)
        }
        let key: String?
        switch idempotencyKey(request) {
        case .success(let value): key = value
        case .failure(let error):
            metrics.countPurchase(.badRequest)
            return respond(error, responder, route: .purchase, startedAt: started)
        }
        engine.purchase(sale: sale, sku: body.sku, user: user, qty: body.qty, idempotencyKey: key) { [unowned self] decision in
            self.answerPurchase(decision, sale: sale, responder, startedAt: started)
        }
    }

    /// Maps the core's (or Redis's) final decision to the HTTP answer.
    func answerPurchase(_ decision: PurchaseDecision, sale: String, _ responder: HTTPResponder, startedAt: UInt64) {
        switch decision {
        case .reserved(let order), .duplicate(let order):
            let replayed: Bool
            if case .duplicate = decision { replayed = true } else { replayed = false }
            metrics.countPurchase(replayed ? .replayed : .created)
            let sku = engine.shard.names(of: order.sku)?.sku ?? ""
            json.reset()
            json.object { object in
                object.key("order_id")
                order.id.withUTF8 { object.asciiString($0) }
                object.field("status", string: "reserved")
                object.field("sale", string: sale)
                object.field("sku", string: sku)
                object.field("qty", integer: order.qty)
                object.field("expires_at", timestampMillis: order.expiresAtMillis)
            }
            respondJSON(201, responder, route: .purchase, startedAt: startedAt) { headers in
                order.id.withUTF8 { id in headers.add("Location", "/v1/orders/" + String(decoding: id, as: UTF8.self)) }
                if replayed { headers.add("Idempotent-Replayed", "true") }
            }
        case .soldOut: refuse(.soldOut, .soldOut, "not enough units left for this quantity", responder, startedAt)
        case .limitExceeded:
            refuse(.limitExceeded, .limitExceeded, "this purchase would exceed the per-user limit", responder, startedAt)
        case .saleNotStarted: refuse(.saleNotStarted, .saleNotStarted, "the sale has not started", responder, startedAt)
        case .saleEnded: refuse(.saleEnded, .saleEnded, "the sale has ended", responder, startedAt)
        case .saleNotFound: refuse(.saleNotFound, .saleNotFound, "no sale named \(sale)", responder, startedAt)
        case .skuNotFound: refuse(.skuNotFound, .skuNotFound, "the sale has no such sku", responder, startedAt)
        case .idempotencyKeyReused:
            refuse(.idempotencyKeyReused, .idempotencyKeyReused,
                   "this Idempotency-Key was used with another request body", responder, startedAt)
        case .invalidQuantity: refuse(.badRequest, .badRequest, "\"qty\" must be a positive integer", responder, startedAt)
        case .overloaded, .parked:
            // `.parked` never reaches here (the engine resolves it); treat it as overload if it did.
            metrics.countPurchase(.overloaded)
            respond(APIError(.overloaded, "the server is overloaded, retry later",
                             retryAfterSeconds: settings.overloadRetryAfterSeconds),
                    responder, route: .purchase, startedAt: startedAt)
        }
    }

    private func refuse(_ outcome: PurchaseOutcome, _ code: APIErrorCode, _ message: String,
                        _ responder: HTTPResponder, _ startedAt: UInt64) {
        metrics.countPurchase(outcome)
        respond(APIError(code, message), responder, route: .purchase, startedAt: startedAt)
    }
}
