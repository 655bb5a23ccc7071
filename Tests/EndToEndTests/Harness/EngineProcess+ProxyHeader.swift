import Foundation
import TestSupport

extension EngineProcess {
    /// A `GET` straight to a `--proxy-protocol` node, with the PROXY v1 header a trusted
    /// balancer would send first (the node closes connections without one).
    func getWithProxyHeader(_ path: String) throws -> HTTPResult {
        let raw = "PROXY TCP4 127.0.0.1 127.0.0.1 40000 \(port)\r\nGET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        guard let answer = try HTTPTestClient.send(port: port, raw: Array(raw.utf8), expectedResponses: 1, timeoutSeconds: 5).first else {
            throw HTTPTestError(description: "no answer from node \(port)")
        }
        return answer
    }

    /// Waits until this `--proxy-protocol` node answers `/readyz` 200.
    func waitReadyBehindProxy(timeoutSeconds: Double = 15) throws {
        let ok = waitUntil(timeoutSeconds: timeoutSeconds, pollMillis: 50) {
            (try? self.getWithProxyHeader("/readyz").status) == 200
        }
        guard ok else { throw HTTPTestError(description: "engine on \(port) not ready; output:\n\(process.output())") }
    }
}
