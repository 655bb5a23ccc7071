import Foundation

/// Sale administration over the engine's HTTP API (`PUT` / `GET /v1/sales/{sale}`).
public enum SaleAdmin {
    /// Why the engine refused.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        /// What the engine said.
        public var description: String
    }

    /// Creates or updates `sale` with one SKU, live from now (a second ago) for `openSeconds`.
    /// Returns the status (201 created, 200 unchanged or updated).
    @discardableResult
    public static func upsert(
        host: String, port: Int, adminToken: String, sale: String, sku: String, stock: Int,
        perUserLimit: Int, reservationTTLSeconds: Int, openSeconds: Int = 86_400
    ) throws -> Int {
        let now = Date()
        let body = """
            {"starts_at":"\(rfc3339(now.addingTimeInterval(-1)))","ends_at":"\(rfc3339(now.addingTimeInterval(Double(openSeconds))))",\
            "per_user_limit":\(perUserLimit),"reservation_ttl_s":\(reservationTTLSeconds),\
            "items":[{"sku":"\(jsonEscaped(sku))","stock":\(stock)}]}
            """
        let response = try HTTPExchange.request(
            host: host, port: port, method: "PUT", path: "/v1/sales/\(sale)",
            headers: [("Authorization", "Bearer \(adminToken)"), ("Content-Type", "application/json")], body: body)
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

    /// `2024-05-01T12:00:00Z`.
    public static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
