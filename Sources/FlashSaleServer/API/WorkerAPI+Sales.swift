import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleWorker

/// `PUT /v1/sales/{sale}` (admin, audited) and `GET /v1/sales/{sale}` (anyone).
extension WorkerAPI {
    func putSale(_ request: HTTPRequest, _ responder: HTTPResponder) {
        if let limited = limitAddress(request) { return respond(limited, responder) }
        if let denied = checkAdmin(request) { return respond(denied, responder) }
        let name: String
        switch saleParameter(request) {
        case .success(let sale): name = sale
        case .failure(let error): return respond(error, responder)
        }
        let body: SaleBody
        do throws(BadRequest) {
            body = try SaleBody.parse(request.body.bytes)
        } catch {
            return respond(APIError(.badRequest, error.message), responder)
        }
        let rawBody = request.body.string
        let address = request.clientAddress.description
        let definition = body.config(name: name)
        engine.upsertSale(definition) { [unowned self] result in
            let answer: (status: Int, error: APIError?)
            let resultName: String
            switch result {
            case .success(.created): answer = (201, nil); resultName = "created"
            case .success(.updated): answer = (200, nil); resultName = "updated"
            case .success(.unchanged): answer = (200, nil); resultName = "unchanged"
            case .success(.saleLive(let field)):
                answer = (409, APIError(.saleLive, "the sale has started: \(field) can no longer change"))
                resultName = "sale_live"
            case .success(.stockBelowCommitted(let sku, let committed)):
                answer = (409, APIError(.stockBelowCommitted, "stock of \(sku) cannot go below the \(committed) units already leased or sold"))
                resultName = "stock_below_committed"
            case .success(.skuRemoved(let sku)):
                answer = (409, APIError(.skuRemoved, "sku \(sku) cannot be removed (set its stock to 0 before the start instead)"))
                resultName = "sku_removed"
            case .success(.invalid(let why)):
                answer = (400, APIError(.badRequest, why)); resultName = "invalid"
            case .failure(let error):
                // Not decided by Redis (or refused before it): nothing to audit.
                return self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds),
                                    responder)
            }
            self.audit(action: "sale.put", sale: name, result: resultName, address: address, body: rawBody) {
                if let error = answer.error {
                    return self.respond(error, responder)
                }
                self.answerWithSale(name, status: answer.status, responder)
            }
        }
    }

    func getSale(_ request: HTTPRequest, _ responder: HTTPResponder) {
        if let limited = limitAddress(request) { return respond(limited, responder) }
        switch saleParameter(request) {
        case .success(let name): answerWithSale(name, status: 200, responder)
        case .failure(let error): respond(error, responder)
        }
    }

    private func answerWithSale(_ name: String, status: Int, _ responder: HTTPResponder) {
        engine.sale(name) { [unowned self] result in
            switch result {
            case .failure(let error):
                self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder)
            case .success(nil):
                self.respond(APIError(.saleNotFound, "no sale named \(name)"), responder)
            case .success(let snapshot?):
                self.json.reset()
                snapshot.write(into: &self.json)
                self.respondJSON(status, responder)
            }
        }
    }

    /// Appends an admin action to `fs:audit` (who, what, when), then runs `then`.
    /// A failed audit write is logged, not fatal: the action itself already happened.
    private func audit(action: String, sale: String, result: String, address: String, body: String, then: @escaping () -> Void) {
        let fields = [
            ("at", String(EventLoop.wallClockMillis())), ("actor", "admin"), ("address", address),
            ("node", settings.nodeID), ("action", action), ("sale", sale), ("result", result), ("body", body),
        ]
        engine.store.appendAudit(fields) { [unowned self] error in
            if let error {
                self.logger.warning("audit write failed", metadata: [
                    "action": "\(action)", "sale": "\(sale)", "address": "\(address)", "error": "\(error)",
                ])
            }
            then()
        }
    }
}
