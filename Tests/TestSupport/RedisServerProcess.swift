#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A private `redis-server` for one test: its own free loopback port and temp dir.
public final class RedisServerProcess: @unchecked Sendable {
    /// The port it listens on (127.0.0.1).
    public let port: Int
    /// `redis://127.0.0.1:<port>`.
    public var url: String { "redis://127.0.0.1:\(port)" }
    private let directory: URL
    private let arguments: [String]
    private var child: ChildProcess?

    /// Starts the server and waits until it answers PING.
    public init(appendOnly: Bool = false, appendFsync: String = "everysec", extraArgs: [String] = [], port: Int? = nil) throws {
        self.port = port ?? freeLoopbackPort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fs-redis-\(self.port)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        arguments = [
            "--port", String(self.port), "--bind", "127.0.0.1", "--dir", directory.path,
            "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", appendFsync,
            "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning",
        ] + extraArgs
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The server's pid (0 when not running).
    public var pid: Int32 { child?.isRunning == true ? child!.pid : 0 }

    /// A new blocking client connected to it.
    public func client() throws -> BlockingRedis { try BlockingRedis(port: port) }

    /// SIGSTOP: the server stops answering but keeps its connections.
    public func pause() { child?.signal(SIGSTOP) }
    /// SIGCONT.
    public func resume() { child?.signal(SIGCONT) }

    /// SIGKILL and wait.
    public func kill9() {
        child?.signal(SIGCONT)
        child?.kill9()
        child = nil
    }

    /// SIGTERM and wait (a clean shutdown).
    public func stop() {
        guard let child else { return }
        child.signal(SIGCONT)
        child.terminate()
        if child.waitForExit(timeoutSeconds: 5) == nil { child.kill9() }
        self.child = nil
    }

    /// Starts again on the same port and dir (AOF reloaded if enabled).
    public func restart() throws {
        stop()
        try start()
    }

    private func start() throws {
        let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "redis-server"
        let child = try ChildProcess(executable: binary, arguments: arguments)
        self.child = child
        let up = waitUntil(timeoutSeconds: 10) {
            guard child.isRunning else { return true }
            guard let c = try? BlockingRedis(port: port, timeoutSeconds: 1) else { return false }
            return (try? c.command("PING")) == .status("PONG")
        }
        guard up, child.isRunning else {
            throw BlockingRedisError("redis-server on port \(port) did not start: \(child.output())")
        }
    }
}
