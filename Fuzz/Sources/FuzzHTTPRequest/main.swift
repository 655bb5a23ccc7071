import CFuzzerDriver
#if canImport(Glibc)
import Glibc
#endif

// libFuzzer runs `fuzzHTTPRequest` on each input (flags: -max_total_time, -runs, -dict, corpus dirs).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    guard let data else { return 0 }
    return fuzzHTTPRequest(data, size)
})
