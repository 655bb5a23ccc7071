import FlashSaleLoop
import Foundation

/// One blocking HTTP/1.1 request on a connection of its own, on the project's own loop
/// and TCP code (the CLI's sale admin, the load driver's setup and probes, tests).
public enum HTTPExchange {
    /// `http://host:port` of an engine.
    public struct Endpoint: Sendable, Equatable {
        public var host: String
        public var port: Int
    }

    /// An answer.
    public struct Response: Sendable {
        /// Status code.
        public var status: Int
        /// Body as text.
        public var body: String
    }

    /// Why the exchange failed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong.
        public var description: String
    }

    /// Sends `method path` with `headers` and `body` to `host:port`, waits up to `timeoutSeconds`.
    public static func request(
        _ endpoint: Endpoint, method: String, path: String, headers: [(String, String)] = [],
        body: String = "", timeoutSeconds: Double = 10
    ) throws -> Response {
        try request(host: endpoint.host, port: endpoint.port, method: method, path: path, headers: headers,
                    body: body, timeoutSeconds: timeoutSeconds)
    }

    /// Sends `method path` with `headers` and `body` to `host:port`, waits up to `timeoutSeconds`.
    public static func request(
        host: String, port: Int, method: String, path: String, headers: [(String, String)] = [],
        body: String = "", timeoutSeconds: Double = 10
    ) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.utf8.count)\r\n\r\n"
        let bytes = Array((head + body).utf8)
        let exchange = Exchange(bytes: bytes)
        let loop = EventLoop.startThread(name: "loadtest-http")
        loop.execute {
            let timer = LoopTimer(loop: loop)
            exchange.timer = timer
            timer.start(afterMillis: UInt64(timeoutSeconds * 1000)) {
                exchange.finish(.failure(Failure(description: "no answer from \(host):\(port) within \(timeoutSeconds) s")))
                loop.stop()
            }
            TCPConnection.connect(on: loop, host: host, port: port) { result in
                switch result {
                case .failure(let error):
                    exchange.finish(.failure(Failure(description: "\(error)")))
                    loop.stop()
                case .success(let connection):
                    exchange.onDone = { loop.stop() }
                    connection.delegate = exchange
                    connection.startReading()
                    connection.send(bytes)
                }
            }
        }
        loop.join()
        return try exchange.outcome?.get() ?? { throw Failure(description: "no answer") }()
    }
}

/// State of one exchange (loop thread, then read after the thread ended).
private final class Exchange: TCPConnectionDelegate, @unchecked Sendable {
    let bytes: [UInt8]
    var parser = HTTPResponseParser()
    var outcome: Result<HTTPExchange.Response, HTTPExchange.Failure>?
    var timer: LoopTimer?
    var onDone: (() -> Void)?

    init(bytes: [UInt8]) {
        self.bytes = bytes
        parser.captureBody = true
    }

    func finish(_ result: Result<HTTPExchange.Response, HTTPExchange.Failure>) {
        guard outcome == nil else { return }
        outcome = result
        timer?.close()
        timer = nil
    }

    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        var answer: HTTPExchange.Response?
        let ok = parser.feed(bytes) { status, body in
            answer = HTTPExchange.Response(status: status, body: String(decoding: body, as: UTF8.self))
        }
        if let answer {
            finish(.success(answer))
        } else if !ok {
            finish(.failure(HTTPExchange.Failure(description: "malformed HTTP response")))
        } else {
            return
        }
        connection.close()
        onDone?()
        onDone = nil
    }

    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?) {
        finish(.failure(HTTPExchange.Failure(description: "connection closed before an answer\(error.map { ": \($0)" } ?? "")")))
        connection.close()
        onDone?()
        onDone = nil
    }
}

extension HTTPExchange.Endpoint {
    /// Parses `http://host[:port]` (default port 80; a trailing `/` is ignored; no other path).
    public init(url: String) throws {
        let parsed: HTTPURL
        do { parsed = try HTTPURL(url) } catch { throw HTTPExchange.Failure(description: error.description) }
        guard parsed.path == "/" else { throw HTTPExchange.Failure(description: "expected http://host:port, got \(url)") }
        host = parsed.host
        port = parsed.port
    }
}
