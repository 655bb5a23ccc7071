import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleWorker

/// `PUT /v1/sales/{sale}` (admin, audited), `POST /v1/sales/{sale}/items/{sku}/stock`
/// (admin, audited) and `GET /v1/sales/{sale}` (anyone).
extension WorkerAPI {
    func putSale(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let (name, body): (String, SaleBody)
        switch adminSaleGate(request).flatMap({ sale in parseBody(request, SaleBody.parse).map { (sale, $0) } }) {
        case .success(let checked): (name, body) = checked
        case .failure(let error): return respond(error, responder)
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

    func changeStock(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let sale: String
        switch adminSaleGate(request) {
        case .success(let name): sale = name
        case .failure(let error): return respond(error, responder)
        }
        guard let rawSKU = request.parameter(at: 1), IdentifierRules.isValidName(rawSKU.bytes) else {
            return respond(APIError(.badRequest, "sku must be 1 to 64 of letters, digits, '.', '_' and '-'"), responder)
        }
        let sku = String(decoding: rawSKU.bytes, as: UTF8.self)
        let change: StockChangeBody
        switch parseBody(request, StockChangeBody.parse) {
        case .success(let body): change = body
        case .failure(let error): return respond(error, responder)
        }
        let rawBody = request.body.string
        let address = request.clientAddress.description
        engine.changeStock(sale: sale, sku: sku, delta: change.delta) { [unowned self] result in
            let answer: Result<(total: Int64, pool: Int64), APIError>
            let resultName: String
            switch result {
            case .success(.changed(let total, let pool)): answer = .success((total, pool)); resultName = "changed"
            case .success(.saleNotFound): answer = .failure(APIError(.saleNotFound, "no sale named \(sale)")); resultName = "sale_not_found"
            case .success(.skuNotFound):
                answer = .failure(APIError(.skuNotFound, "sale \(sale) has no sku \(sku)")); resultName = "sku_not_found"
            case .success(.insufficientPool(let pool)):
                answer = .failure(APIError(.insufficientPool,
                    "cannot remove \(-change.delta) units of \(sku): the pool holds \(pool) (units leased to engines or sold are not taken back)"))
                resultName = "insufficient_pool"
            case .success(.aboveMaximum(let total, let maximum)):
                answer = .failure(APIError(.badRequest, "stock of \(sku) would be \(total), above the maximum \(maximum)"))
                resultName = "invalid"
            case .failure(let error):
                return self.respond(Self.apiError(error, overload: self.settings.overloadRetryAfterSeconds), responder)
            }
            self.audit(action: change.action, sale: sale, result: resultName, address: address, body: rawBody) {
                switch answer {
                case .failure(let error): self.respond(error, responder)
                case .success(let (total, pool)):
                    self.json.reset()
                    self.json.object { object in
                        object.field("sku", string: sku)
                        object.field("total", integer: total)
                        object.field("pool", integer: pool)
                    }
                    self.respondJSON(200, responder)
                }
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
