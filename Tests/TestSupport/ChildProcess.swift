#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child process (e.g. the built `flashsale`) with its output captured.
public final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var captured = Data()
    /// Set when the pipe reached end of file (the child and its children closed it).
    private var ended = false

    /// Starts `executable` with `arguments`; the environment is inherited plus `environment`.
    public init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self else { return }
            self.lock.lock()
            if data.isEmpty { self.ended = true } else { self.captured.append(data) }
            self.lock.unlock()
            if data.isEmpty { handle.readabilityHandler = nil }
        }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        pipe.fileHandleForReading.readabilityHandler = nil
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }
    /// Whether it still runs.
    public var isRunning: Bool { process.isRunning }

    /// Everything written to stdout and stderr so far.
    public func output() -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: captured, as: UTF8.self)
    }

    /// Sends `sig`.
    public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }
    /// SIGKILL and wait.
    public func kill9() {
        signal(SIGKILL)
        process.waitUntilExit()
    }
    /// SIGTERM.
    public func terminate() { signal(SIGTERM) }

    /// Waits for the exit; returns its status, or nil on timeout.
    public func waitForExit(timeoutSeconds: Double) -> Int32? {
        let ok = waitUntil(timeoutSeconds: timeoutSeconds) { !process.isRunning }
        guard ok else { return nil }
        process.waitUntilExit()
        // The last output may still be in the pipe: read it before anyone asks for it.
        _ = waitUntil(timeoutSeconds: 2) { self.lock.withLock { self.ended } }
        return process.terminationStatus
    }
}
