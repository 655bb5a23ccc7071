import FlashSaleServer

/// One input: RFC 3339 parsing. An accepted time lies in 1970-9999
/// and formats back to a text that parses to the same instant.
// Also exported under libFuzzer's name: clang links libFuzzer whole, its own main included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRFC3339(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    guard let millis = RFC3339.parse(text) else { return 0 }
    guard millis >= 0 && millis <= RFC3339.maxMillis else { fatalError("accepted \(text) at \(millis)") }
    let formatted = RFC3339.string(fromMillis: millis)
    guard RFC3339.parse(formatted) == millis else { fatalError("\(text) -> \(formatted) reads back another instant") }
    return 0
}
