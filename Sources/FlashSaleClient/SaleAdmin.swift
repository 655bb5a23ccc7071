import FlashSaleServer
import Foundation

/// Sale administration over the engine's HTTP API (`PUT` / `GET /v1/sales/{sale}`), for
/// the CLI, the load driver and tests. The body is the API's own ``SaleBody``.
public enum SaleAdmin {
    /// Why the engine refused.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        /// What the engine said.
        public var description: String
    }

    /// `PUT /v1/sales/{sale}` with `body` (JSON bytes) and the admin token.
    public static func put(
        _ endpoint: HTTPExchange.Endpoint, adminToken: String, sale: String, body: [UInt8]
    ) throws -> HTTPExchange.Response {
        try HTTPExchange.request(
            endpoint, method: "PUT", path: "/v1/sales/\(sale)",
            headers: [("Authorization", "Bearer \(adminToken)"), ("Content-Type", "application/json")],
            body: String(decoding: body, as: UTF8.self))
    }

    /// Creates or updates `sale` with one SKU, live from now (a second ago) for `openSeconds`.
    /// Returns the status (201 created, 200 unchanged or updated).
    @discardableResult
    public static func upsert(
        host: String, port: Int, adminToken: String, sale: String, sku: String, stock: Int,
        perUserLimit: Int, reservationTTLSeconds: Int, openSeconds: Int = 86_400
    ) throws -> Int {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let body = SaleBody(
            startsAtMillis: now - 1000, endsAtMillis: now + Int64(openSeconds) * 1000, perUserLimit: perUserLimit,
            reservationTTLSeconds: reservationTTLSeconds, items: [.init(sku: sku, stock: Int64(stock))])
        let response = try put(.init(host: host, port: port), adminToken: adminToken, sale: sale, body: body.jsonBody())
        guard response.status == 200 || response.status == 201 else {
            throw Refused(description: "PUT /v1/sales/\(sale) answered \(response.status): \(response.body)")
        }
        return response.status
    }

    /// The stock of `sku` in `sale` as the engine reports it (`GET /v1/sales/{sale}`).
    public static func stock(host: String, port: Int, sale: String, sku: String) throws -> Int? {
        let response = try HTTPExchange.request(host: host, port: port, method: "GET", path: "/v1/sales/\(sale)")
        guard response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
            let items = object["items"] as? [[String: Any]]
        else { return nil }
        for item in items where item["sku"] as? String == sku {
            return (item["stock"] as? NSNumber)?.intValue
        }
        return nil
    }
}
