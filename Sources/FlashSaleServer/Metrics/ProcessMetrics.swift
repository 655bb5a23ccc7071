#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` metrics of this process, read from `/proc` at scrape time
/// (Linux): start time, CPU time, resident and virtual memory, open and maximum descriptors.
public enum ProcessMetrics {
    /// Appends the `process_*` families (those `/proc` could not give are left out).
    public static func render(into text: inout PrometheusText) {
        let ticks = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        if let stat = statFields() {
            // Fields after the command name, counted from 3 ("state") as in proc(5).
            func field(_ number: Int) -> Double? { number - 3 < stat.count ? Double(stat[number - 3]) : nil }
            if let utime = field(14), let stime = field(15) {
                text.family("process_cpu_seconds_total", help: "User and system CPU time spent, seconds.", type: "counter")
                text.sample("process_cpu_seconds_total", [], format((utime + stime) / ticks))
            }
            if let start = field(22), let boot = bootTimeSeconds() {
                text.family("process_start_time_seconds", help: "Start time of the process since the Unix epoch, seconds.", type: "gauge")
                text.sample("process_start_time_seconds", [], format(Double(boot) + start / ticks))
            }
            if let virtual = field(23) {
                text.family("process_virtual_memory_bytes", help: "Virtual memory size, bytes.", type: "gauge")
                text.sample("process_virtual_memory_bytes", [], Int64(virtual))
            }
            if let pages = field(24) {
                text.family("process_resident_memory_bytes", help: "Resident memory size, bytes.", type: "gauge")
                text.sample("process_resident_memory_bytes", [], Int64(pages) * Int64(sysconf(Int32(_SC_PAGESIZE))))
            }
        }
        if let open = openDescriptors() {
            text.family("process_open_fds", help: "Open file descriptors.", type: "gauge")
            text.sample("process_open_fds", [], Int64(open))
        }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            text.family("process_max_fds", help: "Maximum number of open file descriptors.", type: "gauge")
            text.sample("process_max_fds", [], Int64(clamping: limit.rlim_cur))
        }
    }

    /// `/proc/self/stat` split after the `(comm)` field (which may hold spaces).
    static func statFields() -> [String]? {
        guard let line = readSmallFile("/proc/self/stat"), let close = line.lastIndex(of: ")") else { return nil }
        return line[line.index(after: close)...].split(separator: " ").map(String.init)
    }

    /// `btime` of `/proc/stat`: boot time, seconds since the epoch.
    static func bootTimeSeconds() -> Int64? {
        guard let text = readSmallFile("/proc/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int64(line.dropFirst(6).trimmingSpaces)
        }
        return nil
    }

    /// Entries of `/proc/self/fd` (the directory's own descriptor not counted).
    static func openDescriptors() -> Int? {
        guard let dir = opendir("/proc/self/fd") else { return nil }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0[0] }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)
    }

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A non-negative value with up to 3 decimals, without Foundation.
    static func format(_ value: Double) -> String {
        let millis = Int64((value * 1000).rounded())
        let whole = millis / 1000
        let fraction = millis % 1000
        if fraction == 0 { return String(whole) }
        let digits = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: 3 - digits.count) + digits
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
