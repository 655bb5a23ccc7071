#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs `body` with a new TCP socket and the address 127.0.0.1:`port`, then closes the socket.
private func withLoopbackSocket<T>(port: Int, _ body: (Int32, UnsafeMutablePointer<sockaddr>, socklen_t) -> T) -> T {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = UInt16(port).bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close).
public func freeLoopbackPort() -> Int {
    withLoopbackSocket(port: 0) { fd, address, size in
        _ = bind(fd, address, size)
        var len = size
        _ = getsockname(fd, address, &len)
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
    }
}

/// Whether 127.0.0.1:`port` can be bound now (nothing listens on it).
public func loopbackPortIsFree(_ port: Int) -> Bool {
    withLoopbackSocket(port: port) { fd, address, size in bind(fd, address, size) == 0 }
}

/// Whether something accepts connections on 127.0.0.1:`port`.
public func loopbackPortAccepts(_ port: Int) -> Bool {
    withLoopbackSocket(port: port) { fd, address, size in connect(fd, address, size) == 0 }
}

/// Polls `condition` until it is true or the timeout passes; returns the last result.
@discardableResult
public func waitUntil(timeoutSeconds: Double, pollMillis: Int = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(UInt32(pollMillis * 1000))
    }
}

/// The path of a binary built by this package: `$FLASHSALE_BIN_DIR/<name>` when set
/// (scripts/test.sh sets it), else `.build/debug/<name>` under the package root.
public func builtBinary(_ name: String) -> String {
    if let dir = ProcessInfo.processInfo.environment["FLASHSALE_BIN_DIR"], !dir.isEmpty {
        return dir + "/" + name
    }
    // Tests/TestSupport/Ports.swift -> package root
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/\(name)").path
}

/// Raises the open-file soft limit as far as the hard limit allows; returns the new soft limit.
@discardableResult
public func raiseOpenFileLimit(to wanted: UInt64 = 65536) -> UInt64 {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    let target = min(rlim_t(wanted), limit.rlim_max)
    if limit.rlim_cur < target {
        limit.rlim_cur = target
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return UInt64(limit.rlim_cur)
}
