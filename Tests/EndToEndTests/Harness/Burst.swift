import Foundation

/// Buyers hammering engines from several threads (trusted `X-User-Id`, one new buyer per
/// request, SKU `a`), for the crash, reaper and replication tests.
enum Burst {
    /// One purchase of one unit of SKU `a` (nil when no answer came in `timeout` seconds).
    static func buy(_ port: Int, _ sale: String, user: String, key: String? = nil, timeout: Int = 5) -> HTTPResult? {
        var headers = ["X-User-Id": user, "Content-Type": "application/json"]
        if let key { headers["Idempotency-Key"] = key }
        return try? HTTPTestClient.request(
            port: port, "POST", "/v1/sales/\(sale)/purchases", headers: headers, body: #"{"sku":"a"}"#, timeoutSeconds: timeout)
    }

    /// Buyers `<prefix><thread>-<n>` on `threads` threads, each request to the next of
    /// `ports`, until `stop`; the order id of every 201 goes to its port's collector. Wait
    /// on the group returned.
    static func start(
        _ ports: [Int], sale: String, threads: Int, prefix: String, timeout: Int = 3, stop: AtomicFlag,
        into collectors: [Int: OrderCollector]
    ) -> DispatchGroup {
        let group = DispatchGroup()
        for thread in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var index = 0
                while !stop.isSet {
                    index += 1
                    let port = ports[(thread + index) % ports.count]
                    guard let result = buy(port, sale, user: "\(prefix)\(thread)-\(index)", timeout: timeout) else { continue }
                    if result.status == 201, let id = result.json["order_id"] as? String { collectors[port]!.add(id) }
                }
            }
        }
        return group
    }
}
