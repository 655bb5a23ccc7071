import Testing

@testable import FlashSaleDashboard

@Suite struct DashboardQueryTests {
    @Test func parsesEveryParameter() throws {
        let query = try DashboardQuery.parse("page=3&per_page=50&sale=spring%3A2026%2Fa&q=spr")
        #expect(query == DashboardQuery(page: 3, perPage: 50, sale: "spring:2026/a", prefix: "spr"))
        #expect(try DashboardQuery.parse("") == DashboardQuery())
        #expect(try DashboardQuery.parse("q=") == DashboardQuery())
    }

    @Test(arguments: [
        ("page=0", "page must be an integer >= 1"),
        ("page=x", "page must be an integer >= 1"),
        ("per_page=101", "per_page must be an integer from 1 to 100"),
        ("per_page=0", "per_page must be an integer from 1 to 100"),
        ("sale=%7Bs%7D", "sale must be 1-128 characters of A-Z a-z 0-9 . _ - : /"),
        ("sale=", "sale must be 1-128 characters of A-Z a-z 0-9 . _ - : /"),
        ("q=a,b", "q must be up to 128 characters of A-Z a-z 0-9 . _ - : /"),
        ("page=1&page=2", "parameter 'page' is given twice"),
        ("limit=5", "unknown parameter 'limit' (known: page, per_page, sale, q)"),
        ("sale=%zz", "the query is not valid percent-encoded UTF-8"),
        ("sale=%ff", "the query is not valid percent-encoded UTF-8"),
    ])
    func refusesWithAMessage(raw: String, message: String) {
        #expect(throws: DashboardQuery.Refusal(code: "bad_query", message: message)) { try DashboardQuery.parse(raw) }
    }
}
