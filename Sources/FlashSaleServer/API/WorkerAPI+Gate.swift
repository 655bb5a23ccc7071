import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop

/// Checks every request passes before it reaches the core or Redis:
/// authentication, rate limits and path/header validation.
extension WorkerAPI {
    /// The buyer's user id: `X-User-Id` in trusted-gateway mode, else the JWT's `sub`.
    func authenticateBuyer(_ request: HTTPRequest) -> Result<String, APIError> {
        if settings.trustUserHeader, let header = request.header("X-User-Id") {
            guard IdentifierRules.isValidUser(header.bytes) else { return .failure(Self.badUserHeader) }
            return .success(String(decoding: header.bytes, as: UTF8.self))
        }
        guard let authorization = request.header("Authorization") else {
            return .failure(APIError(.unauthorized, JWTError.missing.message))
        }
        do throws(JWTError) {
            return .success(try verifier.verify(authorization: authorization.bytes, nowSeconds: wallClockMillis() / 1000))
        } catch {
            return .failure(APIError(.unauthorized, error.message))
        }
    }

    /// Nil when the request carries the admin token.
    func checkAdmin(_ request: HTTPRequest) -> APIError? {
        guard let header = request.header("Authorization"), adminSecret.matches(authorization: header.bytes) else {
            return APIError(.unauthorized, "admin token required (Authorization: Bearer <FLASHSALE_ADMIN_TOKEN>)")
        }
        return nil
    }

    /// Nil when the request carries the payment service token.
    func checkPayment(_ request: HTTPRequest) -> APIError? {
        guard let header = request.header("Authorization"), paymentSecret.matches(authorization: header.bytes) else {
            return APIError(.unauthorized, "payment service token required (Authorization: Bearer <FLASHSALE_PAYMENT_TOKEN>)")
        }
        return nil
    }

    /// Nil when the request carries the fulfilment service token.
    func checkFulfilment(_ request: HTTPRequest) -> APIError? {
        guard let header = request.header("Authorization"), fulfilmentSecret.matches(authorization: header.bytes) else {
            return APIError(.unauthorized, "fulfilment service token required (Authorization: Bearer <FLASHSALE_FULFILMENT_TOKEN>)")
        }
        return nil
    }

    /// Address limit, the admin token and the `{sale}` parameter of an admin route.
    func adminSaleGate(_ request: HTTPRequest) -> Result<String, APIError> {
        if let limited = limitAddress(request) { return .failure(limited) }
        if let denied = checkAdmin(request) { return .failure(denied) }
        return saleParameter(request)
    }

    /// The request body read by `parse`; its refusal as `400 bad_request`.
    func parseBody<Body>(
        _ request: HTTPRequest, _ parse: (UnsafeRawBufferPointer) throws(BadRequest) -> Body
    ) -> Result<Body, APIError> {
        do throws(BadRequest) {
            return .success(try parse(request.body.bytes))
        } catch {
            return .failure(APIError(.badRequest, error.message))
        }
    }

    /// Nil when the client address still has a token.
    func limitAddress(_ request: HTTPRequest) -> APIError? {
        guard addressLimiter.policy.isEnabled else { return nil }
        // One bucket per client address (behind a trusted proxy: the client's, not the proxy's).
        let decision = request.clientAddress.withBytes { addressLimiter.admit(bytes: $0, nowMillis: loop.nowMillis) }
        if case .limited(let seconds) = decision {
            return APIError(.rateLimited, "too many requests from this address; retry after \(seconds) s", retryAfterSeconds: seconds)
        }
        return nil
    }

    /// Nil when `user` still has a token.
    func limitUser(_ user: String) -> APIError? {
        guard userLimiter.policy.isEnabled else { return nil }
        if case .limited(let seconds) = userLimiter.admit(user, nowMillis: loop.nowMillis) { return Self.userLimited(seconds) }
        return nil
    }

    /// The `{sale}` path parameter, validated.
    func saleParameter(_ request: HTTPRequest) -> Result<String, APIError> {
        guard let raw = request.parameter(at: 0), IdentifierRules.isValidName(raw.bytes) else {
            return .failure(Self.badSaleParameter)
        }
        return .success(String(decoding: raw.bytes, as: UTF8.self))
    }

    /// The `{order}` path parameter (26 Crockford base32 characters, canonical upper case) as an order id; nil when it has not an order id's
    /// shape (no order has it: the routes answer `404 order_not_found`, as for any
    /// unknown order).
    func orderParameter(_ request: HTTPRequest) -> OrderID? {
        guard let raw = request.parameter(at: 0), raw.count == OrderID.textLength else { return nil }
        return OrderID(utf8: raw.bytes)
    }

    /// The optional `Idempotency-Key` header, validated.
    func idempotencyKey(_ request: HTTPRequest) -> Result<String?, APIError> {
        guard let header = request.header("Idempotency-Key") else { return .success(nil) }
        guard IdentifierRules.isValidUser(header.bytes) else { return .failure(Self.badIdempotencyKey) }
        return .success(String(decoding: header.bytes, as: UTF8.self))
    }

    static var badUserHeader: APIError {
        APIError(.unauthorized, "X-User-Id must be 1-128 printable ASCII characters without space, '\"' or '\\'")
    }

    static var badSaleParameter: APIError {
        APIError(.badRequest, "sale id must be 1 to 64 of letters, digits, '.', '_' and '-'")
    }

    static var badIdempotencyKey: APIError {
        APIError(.badRequest, "Idempotency-Key must be 1-128 printable ASCII characters without space, '\"' or '\\'")
    }

    static func userLimited(_ seconds: Int) -> APIError {
        APIError(.rateLimited, "too many requests for this user; retry after \(seconds) s", retryAfterSeconds: seconds)
    }

    /// Unix milliseconds (wall clock; JWT times and order times are wall-clock).
    func wallClockMillis() -> Int64 { EventLoop.wallClockMillis() }
}
