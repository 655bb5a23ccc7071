import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleServer
import FlashSaleWorker
import Foundation

/// One worker's API in process: the real router, WorkerAPI and WorkerEngine on a real
/// loop thread, over a ``MemoryWorkerStore`` instead of Redis, answering requests fed
/// through an ``HTTPInMemoryConnection`` (the server's parser, limits and encoder).
final class InProcessAPI: @unchecked Sendable {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
        /// `error.code` of a JSON error body.
        var errorCode: String? {
            guard let data = body.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let error = object["error"] as? [String: Any]
            else { return nil }
            return error["code"] as? String
        }
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        }
    }

    static let adminToken = "admin-token-for-tests-0123456789"
    private let loop = EventLoop.startThread(name: "api-test")
    // Loop thread only (set up in init on the loop, read there).
    private var store: MemoryWorkerStore!
    private var engine: WorkerEngine!
    private var api: WorkerAPI!
    private var connection: HTTPInMemoryConnection!

    init(ackMode: AckMode = .persisted, configure: @escaping @Sendable (inout WorkerEngineConfiguration) -> Void = { _ in }) {
        sync { [self] in
            let core = ProcessCore(configuration: CoreConfiguration(instance: 7))
            let shard = WorkerShard(process: core, workerIndex: 0)
            var settings = WorkerEngineConfiguration(nodeID: "test-node", workerIndex: 0)
            settings.ackMode = ackMode
            configure(&settings)
            store = MemoryWorkerStore(loop: loop)
            engine = WorkerEngine(loop: loop, shard: shard, store: store, bootstrap: NodeBootstrap(), configuration: settings)
            let apiSettings = APISettings(
                jwtSecret: "jwt-secret-for-tests-0123456789", adminToken: Self.adminToken,
                paymentToken: "payment-token-for-tests-012345",
                fulfilmentToken: "fulfilment-token-for-tests-0123", trustUserHeader: true,
                userRateLimit: .off, addressRateLimit: .off, nodeID: "test-node")
            let metrics = WorkerMetrics(worker: 0)
            api = WorkerAPI(loop: loop, engine: engine, settings: apiSettings, metrics: metrics, allMetrics: [metrics])
            connection = HTTPInMemoryConnection(router: api.makeRouter())
            engine.start()
            api.start()
        }
        waitUntil { self.sync { self.engine.isReady } }
    }

    deinit {
        sync { [self] in
            api.stop()
            engine.shutdown {}
        }
        Thread.sleep(forTimeInterval: 0.05)
        loop.stop()
        loop.join()
    }

    /// Runs `body` on the loop thread and waits for it.
    @discardableResult
    func sync<T>(_ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        nonisolated(unsafe) let work = body
        loop.execute {
            box.value = work()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    /// Simulates the store going down or coming back.
    func setStoreUp(_ up: Bool) { sync { self.store.setUp(up) } }

    /// Runs `body` on the loop thread with the store double.
    func withStore<T>(_ body: @escaping (MemoryWorkerStore) -> T) -> T { sync { body(self.store) } }

    /// The engine's counters and the units in its slices.
    var stats: PersistenceStats { sync { self.engine.stats } }
    var unitsInSlices: Int { sync { self.engine.unitsInSlices } }

    /// The store's recorded orders.
    var storedOrders: [String: OrderRecord] { sync { self.store.orders } }

    /// Sends one request and waits for its whole answer.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) -> Answer? {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: t\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            if headers["Content-Type"] == nil { head += "Content-Type: application/json\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\n"
        }
        let bytes = Array((head + "\r\n" + (body ?? "")).utf8)
        sync { self.connection.clearOutput(); self.connection.receive(bytes) }
        var answer: Answer?
        waitUntil {
            answer = self.sync { Self.parse(String(decoding: self.connection.output, as: UTF8.self)) }
            return answer != nil
        }
        return answer
    }

    /// A buyer's purchase (trusted `X-User-Id`).
    func purchase(sale: String, user: String, sku: String, qty: Int = 1, key: String? = nil) -> Answer? {
        var headers = ["X-User-Id": user]
        if let key { headers["Idempotency-Key"] = key }
        return request("POST", "/v1/sales/\(sale)/purchases", body: #"{"sku":"\#(sku)","qty":\#(qty)}"#, headers: headers)
    }

    /// Creates a live sale through the admin route.
    func putLiveSale(_ sale: String, items: [(String, Int)], limit: Int = 1) -> Answer? {
        let list = items.map { #"{"sku":"\#($0.0)","stock":\#($0.1)}"# }.joined(separator: ",")
        let body = #"{"starts_at":"2020-01-01T00:00:00Z","ends_at":"2099-01-01T00:00:00Z","per_user_limit":\#(limit),"reservation_ttl_s":600,"items":[\#(list)]}"#
        return request("PUT", "/v1/sales/\(sale)", body: body, headers: ["Authorization": "Bearer \(Self.adminToken)"])
    }

    /// A complete first response in `text`, or nil.
    static func parse(_ text: String) -> Answer? {
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let body = Array(text[end.upperBound...].utf8)
        guard body.count >= length else { return nil }
        return Answer(status: status, headers: headers, body: String(decoding: body.prefix(length), as: UTF8.self))
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Polls `condition` every 2 ms for up to `seconds`.
@discardableResult
func waitUntil(seconds: Double = 3, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.002)
    }
    return condition()
}
