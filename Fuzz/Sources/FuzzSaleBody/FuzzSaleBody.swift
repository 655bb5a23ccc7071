import FlashSaleServer

/// One input: the sale-body reader (`PUT /v1/sales/{sale}`). An
/// accepted body must write back (`jsonBody`) into a body that reads as the same sale.
// Also exported under libFuzzer's name: clang links libFuzzer whole, its own main included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSaleBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let sale = try? SaleBody.parse(UnsafeRawBufferPointer(start: data, count: size)) else { return 0 }
    guard let again = try? SaleBody.parse(sale.jsonBody()) else { fatalError("an accepted sale does not read back") }
    guard again == sale else { fatalError("a sale reads back different") }
    return 0
}
