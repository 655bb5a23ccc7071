import Foundation
import TestSupport
import XCTest

/// A webhook receiver process: the example receiver (examples/webhook-receiver) or the
/// test's faulty variant of it, logging every delivery as one JSON line.
final class ReceiverProcess {
    let port: Int
    let logPath: String
    private let process: ChildProcess

    /// `fault`: nil (the example as shipped), "500", "hang" or "always500" for `faultSeconds`.
    init(secrets: [String], port: Int? = nil, fault: String? = nil, faultSeconds: Double = 5) throws {
        self.port = port ?? freeLoopbackPort()
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("fs-receiver-\(UUID().uuidString).jsonl").path
        let script = fault == nil
            ? repositoryRoot().appendingPathComponent("examples/webhook-receiver/receiver.py").path
            : repositoryRoot().appendingPathComponent("Tests/EndToEndTests/Receivers/faulty_receiver.py").path
        let arguments = [script, "--port", String(self.port), "--log", logPath] + secrets.flatMap { ["--secret", $0] }
        process = try ChildProcess(executable: "/usr/bin/python3", arguments: arguments,
                                   environment: ["FAULT": fault ?? "", "FAULT_SECONDS": String(faultSeconds)])
        let up = waitUntil(timeoutSeconds: 10, pollMillis: 20) { self.process.output().contains("listening on") }
        guard up else { throw HTTPTestError(description: "receiver on \(self.port) not up: \(process.output())") }
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        if process.waitForExit(timeoutSeconds: 5) == nil { process.kill9() }
    }

    /// Every line logged so far.
    func records() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Accepted deliveries (signature valid), in arrival order.
    func accepted() -> [[String: Any]] { records().filter { $0["event"] != nil } }

    /// Ids of the accepted deliveries, without repeats.
    func uniqueIDs() -> Set<String> { Set(accepted().compactMap { $0["id"] as? String }) }

    /// Requests refused for their signature.
    func rejected() -> [[String: Any]] { records().filter { $0["rejected"] != nil } }
}

/// A `flashsale relay` process with a generated configuration file.
final class RelayProcess {
    let metricsPort: Int
    let configPath: String
    let consumer: String
    private(set) var process: ChildProcess
    private let arguments: [String]

    init(redisURL: String, consumer: String, config: [String: Any]) throws {
        metricsPort = freeLoopbackPort()
        self.consumer = consumer
        configPath = FileManager.default.temporaryDirectory.appendingPathComponent("fs-relay-\(UUID().uuidString).json").path
        var config = config
        config["metrics_port"] = metricsPort
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        arguments = ["relay", "--redis", redisURL, "--config", configPath, "--consumer", consumer]
        process = try ChildProcess(executable: builtBinary("flashsale"), arguments: arguments)
        try waitUp()
    }

    deinit {
        if process.isRunning { process.kill9() }
        try? FileManager.default.removeItem(atPath: configPath)
    }

    private func waitUp() throws {
        let up = waitUntil(timeoutSeconds: 15, pollMillis: 50) {
            (try? HTTPTestClient.request(port: self.metricsPort, "GET", "/healthz", timeoutSeconds: 2).status) == 200
        }
        guard up else { throw HTTPTestError(description: "relay not up; output:\n\(process.output())") }
    }

    /// Starts the same relay again (same consumer name) after it died.
    func restart() throws {
        process = try ChildProcess(executable: builtBinary("flashsale"), arguments: arguments)
        try waitUp()
    }

    func kill9() { process.kill9() }

    /// The `/metrics` text.
    func metrics() throws -> String {
        try HTTPTestClient.request(port: metricsPort, "GET", "/metrics").body
    }

    /// The value of one sample line (`name{labels}`), nil if absent.
    func sample(_ series: String) throws -> Double? {
        for line in try metrics().split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}

/// Writes order events into `fs:{S}:events` in the documented v1 layout, as the engine does.
enum EventWriter {
    /// A Standard Webhooks secret of `byte` repeated 32 times.
    static func secret(_ byte: UInt8) -> String { "whsec_" + Data(repeating: byte, count: 32).base64EncodedString() }

    /// Registers the sale in `fs:sales`.
    static func addSale(_ redis: BlockingRedis, _ sale: String) throws {
        try redis.command("SADD", "fs:sales", sale)
    }

    /// For each order `O<n>` of `orders`, the v1 events `types` in order; returns their
    /// webhook ids (`<sale>:<entry id>:<order>`, a `.` in the sale written `%2E`).
    @discardableResult
    static func write(_ redis: BlockingRedis, sale: String, orders: Range<Int>, types: [String] = ["reserved", "paid"]) throws -> [String] {
        var expected: [String] = []
        var commands: [[String]] = []
        for order in orders {
            for type in types {
                var fields = ["type", type, "order", orderID(order), "sku", "tee", "user", "u\(order)", "qty", "1"]
                if type != "reserved" { fields += ["at", String(Int64(Date().timeIntervalSince1970 * 1000))] }
                commands.append(["XADD", "fs:{\(sale)}:events", "*"] + fields)
                expected.append(orderID(order))
            }
        }
        let escaped = sale.replacingOccurrences(of: ".", with: "%2E")
        return zip(try redis.pipeline(commands), expected).map { reply, order in "\(escaped):\(reply.string ?? "?"):\(order)" }
    }

    static func orderID(_ n: Int) -> String { "O" + String(n) }

    /// Entries of the group still pending (read and not acknowledged).
    static func pending(_ redis: BlockingRedis, sale: String) throws -> Int {
        let reply = try redis.command("XPENDING", "fs:{\(sale)}:events", "fs-relay")
        return Int(reply.elements.first?.int ?? -1)
    }

    /// The dead letters of the sale as field maps.
    static func deadLetters(_ redis: BlockingRedis, sale: String) throws -> [(id: String, fields: [String: String])] {
        try redis.command("XRANGE", "fs:{\(sale)}:dead", "-", "+").elements.map { entry in
            (entry.elements[0].string ?? "", entry.elements[1].hash)
        }
    }
}

/// One endpoint of a relay configuration.
func endpointConfig(
    _ name: String, port: Int, secrets: [String], events: [String]? = nil, timeoutMillis: Int = 2000, concurrency: Int = 8
) -> [String: Any] {
    var endpoint: [String: Any] = [
        "name": name, "url": "http://127.0.0.1:\(port)/hooks/\(name)", "secrets": secrets,
        "timeout_ms": timeoutMillis, "concurrency": concurrency,
    ]
    if let events { endpoint["events"] = events }
    return endpoint
}
