import CFuzzerDriver
#if canImport(Glibc)
import Glibc
#endif

/// One fuzz input: the bytes libFuzzer hands over (nil when empty) and their count.
public typealias FuzzEntry = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// Runs libFuzzer's driver with the process arguments (-max_total_time, -runs, -dict,
/// corpus folders) on `entry`, then exits with its status. Every harness's main is this
/// call with a closure literal (a C function: it captures nothing).
public func runLibFuzzer(_ entry: FuzzEntry) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
}
