#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// The command line as an operator meets it: `--version`, usage errors (exit 64, with
/// the usage) against runtime failures (exit 1, `Error: …`, no usage), secrets from
/// files, and no password in what it prints.
final class CommandLineTests: XCTestCase {
    private func flashsale(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        // Secrets and Redis settings of the test process itself must not leak in.
        var env = environment
        for name in ["FLASHSALE_JWT_SECRET", "FLASHSALE_ADMIN_TOKEN", "FLASHSALE_PAYMENT_TOKEN", "FLASHSALE_FULFILMENT_TOKEN"] where env[name] == nil {
            env[name] = ""
        }
        let child = try ChildProcess(executable: builtBinary("flashsale"), arguments: arguments, environment: env)
        guard let status = child.waitForExit(timeoutSeconds: 20) else {
            child.kill9()
            throw HTTPTestError(description: "flashsale \(arguments) did not exit")
        }
        return (status, child.output())
    }

    func testVersion() throws {
        let (status, output) = try flashsale(["--version"])
        XCTAssertEqual(status, 0)
        XCTAssertNotNil(output.range(of: #"^\d+\.\d+\.\d+\s*$"#, options: .regularExpression), output)
    }

    func testUsageErrorsExit64WithTheUsage() throws {
        let (status, output) = try flashsale(["serve", "--port", "eighty"], environment: Secrets.environment)
        XCTAssertEqual(status, 64, output)
        XCTAssertTrue(output.contains("Usage: flashsale serve"), output)
    }

    func testProxyFlagsAreCheckedAsUsage() throws {
        let (status, output) = try flashsale(["serve", "--port", "0", "--proxy-protocol"], environment: Secrets.environment)
        XCTAssertEqual(status, 64, output)
        XCTAssertTrue(output.contains("--proxy-protocol needs --trusted-proxy"), output)
        let (badStatus, badOutput) = try flashsale(["serve", "--port", "0", "--trusted-proxy", "10.0.0.0/33"], environment: Secrets.environment)
        XCTAssertEqual(badStatus, 64, badOutput)
        XCTAssertTrue(badOutput.contains("--trusted-proxy must be an IPv4/IPv6 address or CIDR"), badOutput)
        var environment = Secrets.environment
        environment["FLASHSALE_PROXY_PROTOCOL"] = "1"
        let (envStatus, envOutput) = try flashsale(["serve", "--port", "0"], environment: environment)
        XCTAssertEqual(envStatus, 64, "the environment twin too: \(envOutput)")
    }

    func testFlushesInFlightIsCheckedAsUsage() throws {
        for (value, message) in [("0", "--flushes-in-flight must be positive, got 0"), ("65", "--flushes-in-flight must be 1...64, got 65")] {
            let (status, output) = try flashsale(["serve", "--port", "0", "--flushes-in-flight", value], environment: Secrets.environment)
            XCTAssertEqual(status, 64, output)
            XCTAssertTrue(output.contains(message), output)
        }
        var environment = Secrets.environment
        environment["FLASHSALE_FLUSHES_IN_FLIGHT"] = "-2"
        let (status, output) = try flashsale(["serve", "--port", "0"], environment: environment)
        XCTAssertEqual(status, 64, "the environment twin too: \(output)")
        XCTAssertTrue(output.contains("--flushes-in-flight must be positive"), output)
    }

    func testMissingSecretIsARuntimeFailureNamingIt() throws {
        let (status, output) = try flashsale(["serve", "--port", "0"], environment: ["FLASHSALE_JWT_SECRET": "s"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("FLASHSALE_ADMIN_TOKEN") && output.contains("FLASHSALE_PAYMENT_TOKEN")
                      && output.contains("FLASHSALE_FULFILMENT_TOKEN"), output)
        XCTAssertFalse(output.contains("Usage:"), output)
    }

    func testPortInUseIsARuntimeFailure() throws {
        // Hold a port with a plain listener (no SO_REUSEPORT): the engine cannot bind it.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 8), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let (status, output) = try flashsale(
            ["serve", "--host", "127.0.0.1", "--port", String(port), "--workers", "1", "--redis", "redis://127.0.0.1:1"],
            environment: Secrets.environment)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("Error: cannot listen on 127.0.0.1:\(port)"), output)
        XCTAssertFalse(output.contains("Usage:"), output)
    }

    func testSecretsFromFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("jwt").path
        try "file-secret-0123456789\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try flashsale(["token", "--sub", "alice"], environment: ["FLASHSALE_JWT_SECRET_FILE": file])
        XCTAssertEqual(fromFile.status, 0, fromFile.output)
        XCTAssertEqual(fromFile.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count, 3)
        // The file's secret (without its newline) signs exactly as the variable would:
        // same header and claims within one second, so the same token.
        var same = false
        for _ in 0..<3 where !same {
            let a = try flashsale(["token", "--sub", "alice"], environment: ["FLASHSALE_JWT_SECRET_FILE": file]).output
            let b = try flashsale(["token", "--sub", "alice"], environment: ["FLASHSALE_JWT_SECRET": "file-secret-0123456789"]).output
            same = a == b
        }
        XCTAssertTrue(same, "the file's contents are the secret")
        let both = try flashsale(["token", "--sub", "alice"],
                                 environment: ["FLASHSALE_JWT_SECRET_FILE": file, "FLASHSALE_JWT_SECRET": "x"])
        XCTAssertEqual(both.status, 1, both.output)
        XCTAssertTrue(both.output.contains("not both"), both.output)
        let missing = try flashsale(["token", "--sub", "alice"], environment: ["FLASHSALE_JWT_SECRET_FILE": dir.path + "/nope"])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.output.contains("FLASHSALE_JWT_SECRET_FILE"), missing.output)
    }

    func testRedisPasswordNeverPrinted() throws {
        let (status, output) = try flashsale(
            ["serve", "--port", "0", "--redis", "redis://app:hunter2secret@127.0.0.1:notaport"], environment: Secrets.environment)
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("redis://***@127.0.0.1:notaport"), output)
        XCTAssertFalse(output.contains("hunter2secret"), output)
    }
}
