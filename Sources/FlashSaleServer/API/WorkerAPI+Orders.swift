import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleWorker

/// `GET /v1/orders/{order}`, `POST …/cancel` (buyer) and `POST …/pay` (payment service):
/// low-rate paths that go straight to Redis.
extension WorkerAPI {
    func getOrder(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let started = EventLoop.monotonicNanos()
        switch buyerOrderGate(request) {
        case .failure(let error): respond(error, responder, route: .orderGet, startedAt: started)
        case .success(let (user, id)):
            engine.order(orderID: id) { [unowned self] result in
                switch result {
                case .failure(let error): self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder, route: .orderGet, startedAt: started)
                case .success(let record?) where record.user == user:
                    self.respondOrder(record, 200, responder, route: .orderGet, startedAt: started)
                case .success:
                    self.respond(Self.orderNotFound(id), responder, route: .orderGet, startedAt: started)
                }
            }
        }
    }

    func cancelOrder(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let started = EventLoop.monotonicNanos()
        switch buyerOrderGate(request) {
        case .failure(let error): respond(error, responder, route: .orderCancel, startedAt: started)
        case .success(let (user, id)):
            engine.cancel(orderID: id, user: user) { [unowned self] result in
                switch result {
                case .failure(let error):
                    self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder, route: .orderCancel, startedAt: started)
                case .success(.cancelled):
                    self.answerWithOrder(id, responder, route: .orderCancel, startedAt: started)
                case .success(.notFound):
                    self.respond(Self.orderNotFound(id), responder, route: .orderCancel, startedAt: started)
                case .success(.notReserved(let status)):
                    self.respond(APIError(.notReserved, "the order is \(status), not reserved"), responder, route: .orderCancel, startedAt: started)
                case .success(.expiredNow):
                    self.respond(APIError(.notReserved, "the order is expired, not reserved"), responder, route: .orderCancel, startedAt: started)
                }
            }
        }
    }

    func payOrder(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let started = EventLoop.monotonicNanos()
        if let limited = limitAddress(request) { return respond(limited, responder, route: .orderPay, startedAt: started) }
        if let denied = checkPayment(request) { return respond(denied, responder, route: .orderPay, startedAt: started) }
        let id: String
        switch orderID(request) {
        case .success(let orderID): id = orderID
        case .failure(let error): return respond(error, responder, route: .orderPay, startedAt: started)
        }
        engine.pay(orderID: id) { [unowned self] result in
            switch result {
            case .failure(let error):
                self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder, route: .orderPay, startedAt: started)
            case .success(.paid), .success(.alreadyPaid):
                self.answerWithOrder(id, responder, route: .orderPay, startedAt: started)
            case .success(.notFound):
                self.respond(Self.orderNotFound(id), responder, route: .orderPay, startedAt: started)
            case .success(.notReserved(let status)):
                self.respond(APIError(.notReserved, "the order is \(status), not reserved"), responder, route: .orderPay, startedAt: started)
            case .success(.expiredNow):
                self.respond(APIError(.notReserved, "the order is expired, not reserved"), responder, route: .orderPay, startedAt: started)
            }
        }
    }

    /// Address limit, buyer authentication, user limit and the order id.
    private func buyerOrderGate(_ request: HTTPRequest) -> Result<(String, String), APIError> {
        if let limited = limitAddress(request) { return .failure(limited) }
        let user: String
        switch authenticateBuyer(request) {
        case .success(let id): user = id
        case .failure(let error): return .failure(error)
        }
        if let limited = limitUser(user) { return .failure(limited) }
        switch orderID(request) {
        case .success(let id): return .success((user, id))
        case .failure(let error): return .failure(error)
        }
    }

    /// The `{order}` parameter. An id of the wrong shape names no order
    /// either: 404 `order_not_found`, the same answer as an unknown one.
    private func orderID(_ request: HTTPRequest) -> Result<String, APIError> {
        switch orderParameter(request) {
        case .success(let id): return .success(id.text)
        case .failure: return .failure(APIError(.orderNotFound, "no such order for this caller"))
        }
    }

    /// Reads the order back (after a pay or cancel) and answers with it.
    private func answerWithOrder(_ id: String, _ responder: HTTPResponder, route: MetricRoute, startedAt: UInt64) {
        engine.order(orderID: id) { [unowned self] result in
            switch result {
            case .success(let record?): self.respondOrder(record, 200, responder, route: route, startedAt: startedAt)
            case .success(nil): self.respond(Self.orderNotFound(id), responder, route: route, startedAt: startedAt)
            case .failure(let error):
                self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder, route: route, startedAt: startedAt)
            }
        }
    }

    private func respondOrder(_ record: OrderRecord, _ status: Int, _ responder: HTTPResponder, route: MetricRoute, startedAt: UInt64) {
        let closedAt = ["paid_at", "cancelled_at", "expired_at"].lazy.compactMap { record.fields[$0].flatMap { Int64($0) } }.first
        json.reset()
        OrderView(orderID: record.orderID, sale: record.sale, sku: record.sku, qty: Int(record.quantity), user: record.user,
                  status: record.status, createdAtMillis: record.createdAtMillis, expiresAtMillis: record.expiresAtMillis,
                  closedAtMillis: closedAt).write(into: &json)
        respondJSON(status, responder, route: route, startedAt: startedAt)
    }

    static func orderNotFound(_ id: String) -> APIError {
        APIError(.orderNotFound, "no order \(id) for this caller")
    }

    /// The answer for a persistence failure: Redis unreachable or slow -> 503 with
    /// Retry-After; an unreadable reply -> 500; an invalid request -> 400.
    static func apiError(_ error: StoreError, overload retryAfter: Int) -> APIError {
        switch error {
        case .unavailable(let cause, _):
            return APIError(.redisUnavailable, "Redis is unavailable (\(cause)); retry later", retryAfterSeconds: retryAfter)
        case .refused(let why), .badReply(let why):
            return APIError(.internalError, "unexpected answer from Redis: \(why)")
        case .invalid(let why):
            return APIError(.badRequest, why)
        }
    }
}
