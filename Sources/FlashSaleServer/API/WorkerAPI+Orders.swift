import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleWorker

/// `GET /v1/orders/{order}`, `POST …/cancel` (buyer), `POST …/pay` (payment service) and
/// `POST …/fulfil` (fulfilment service): low-rate paths that go straight to Redis.
extension WorkerAPI {
    func getOrder(_ request: HTTPRequest, _ responder: HTTPResponder) {
        switch buyerOrderGate(request) {
        case .failure(let error): respond(error, responder)
        case .success(let (user, id)):
            engine.order(orderID: id) { [unowned self] result in
                switch result {
                case .failure(let error): self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder)
                case .success(let record?) where record.user == user:
                    self.respondOrder(record, 200, responder)
                case .success:
                    self.respond(Self.orderNotFound(id), responder)
                }
            }
        }
    }

    func cancelOrder(_ request: HTTPRequest, _ responder: HTTPResponder) {
        switch buyerOrderGate(request) {
        case .failure(let error): respond(error, responder)
        case .success(let (user, id)):
            engine.cancel(orderID: id, user: user) { [unowned self] result in
                self.answerTransition(result.map(OrderTransition.init), id: id, responder)
            }
        }
    }

    func payOrder(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let id: String
        switch serviceOrderGate(request, checkPayment) {
        case .success(let orderID): id = orderID
        case .failure(let error): return respond(error, responder)
        }
        engine.pay(orderID: id) { [unowned self] result in
            self.answerTransition(result.map(OrderTransition.init), id: id, responder)
        }
    }

    func fulfilOrder(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let (id, body): (String, FulfilBody)
        switch serviceOrderGate(request, checkFulfilment).flatMap({ id in parseBody(request, FulfilBody.parse).map { (id, $0) } }) {
        case .success(let checked): (id, body) = checked
        case .failure(let error): return respond(error, responder)
        }
        engine.fulfil(orderID: id, carrier: body.carrier, tracking: body.tracking) { [unowned self] result in
            switch result {
            case .failure(let error): self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder)
            case .success(.fulfilled): self.answerWithOrder(id, responder)
            case .success(.alreadyFulfilled(let carrier, let tracking)):
                // A retried call (same shipment) is a success; another shipment of the same
                // order is a conflict: the first one stands.
                if carrier == body.carrier, tracking == body.tracking { return self.answerWithOrder(id, responder) }
                self.respond(APIError(.notPaid, "the order is already fulfilled (carrier \(carrier), tracking \(tracking))"), responder)
            case .success(.notFound): self.respond(Self.orderNotFound(id), responder)
            case .success(.notPaid(let status)): self.respond(APIError(.notPaid, "the order is \(status), not paid"), responder)
            case .success(.invalid(let why)): self.respond(APIError(.badRequest, why), responder)
            }
        }
    }

    /// Answers a pay or cancel: the order as it is now, or why nothing changed.
    private func answerTransition(_ result: Result<OrderTransition, StoreError>, id: String, _ responder: HTTPResponder) {
        switch result {
        case .failure(let error): respond(Self.apiError(error, overload: settings.overloadRetryAfterSeconds), responder)
        case .success(.done): answerWithOrder(id, responder)
        case .success(.notFound): respond(Self.orderNotFound(id), responder)
        case .success(.notReserved(let status)): respond(APIError(.notReserved, "the order is \(status), not reserved"), responder)
        }
    }

    /// Address limit, a service's token (`check`) and the order id.
    private func serviceOrderGate(_ request: HTTPRequest, _ check: (HTTPRequest) -> APIError?) -> Result<String, APIError> {
        if let limited = limitAddress(request) { return .failure(limited) }
        if let denied = check(request) { return .failure(denied) }
        return orderID(request)
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
        guard let id = orderParameter(request) else { return .failure(APIError(.orderNotFound, "no such order for this caller")) }
        return .success(id.text)
    }

    /// Reads the order back (after a pay or cancel) and answers with it.
    private func answerWithOrder(_ id: String, _ responder: HTTPResponder) {
        engine.order(orderID: id) { [unowned self] result in
            switch result {
            case .success(let record?): self.respondOrder(record, 200, responder)
            case .success(nil): self.respond(Self.orderNotFound(id), responder)
            case .failure(let error):
                self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder)
            }
        }
    }

    private func respondOrder(_ record: OrderRecord, _ status: Int, _ responder: HTTPResponder) {
        let closedAt = ["paid_at", "cancelled_at", "expired_at"].lazy.compactMap { record.fields[$0].flatMap { Int64($0) } }.first
        json.reset()
        var view = OrderView(
            orderID: record.orderID, sale: record.sale, sku: record.sku, qty: Int(record.quantity), user: record.user,
            status: record.status, createdAtMillis: record.createdAtMillis, expiresAtMillis: record.expiresAtMillis,
            closedAtMillis: closedAt)
        if let carrier = record.fields["carrier"], let tracking = record.fields["tracking"],
            let at = record.fields["fulfilled_at"].flatMap({ Int64($0) }) {
            view.shipment = OrderView.Shipment(carrier: carrier, tracking: tracking, fulfilledAtMillis: at)
        }
        view.amount = record.fields["amount"].flatMap { Int64($0) } ?? 0
        view.currency = engine.shard.process.sales.config(sale: record.sale)?.currency ?? CurrencyCode.none
        view.write(into: &json)
        respondJSON(status, responder)
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

/// What a pay or cancel came to, as the API answers it.
private enum OrderTransition {
    /// Paid (or already paid) / cancelled: answer with the order.
    case done
    case notFound
    /// Not reserved (any more): `status` is what it is.
    case notReserved(String)

    init(_ outcome: PayOutcome) {
        switch outcome {
        case .paid, .alreadyPaid: self = .done
        case .notFound: self = .notFound
        case .notReserved(let status): self = .notReserved(status)
        case .expiredNow: self = .notReserved("expired")
        }
    }

    init(_ outcome: CancelOutcome) {
        switch outcome {
        case .cancelled: self = .done
        case .notFound: self = .notFound
        case .notReserved(let status): self = .notReserved(status)
        case .expiredNow: self = .notReserved("expired")
        }
    }
}
