import FlashSaleServer

/// One input: the purchase-body reader (canonical fast path and the
/// general parser behind `scan`). An accepted body must satisfy its rules:
/// a SKU of 1-64 of `A-Z a-z 0-9 . _ -` inside the input, 1 <= qty <= max;
/// `parse` must agree with `scan`.
// Also exported under libFuzzer's name: clang links libFuzzer whole, its own main included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPurchaseBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let scanned = try? PurchaseBody.scan(bytes)
    let parsed = try? PurchaseBody.parse(bytes)
    guard (scanned == nil) == (parsed == nil) else { fatalError("scan and parse disagree") }
    guard let scanned, let parsed else { return 0 }
    let sku = scanned.sku
    guard let base = sku.baseAddress, base >= UnsafeRawPointer(data), base + sku.count <= UnsafeRawPointer(data) + size else {
        fatalError("sku outside the input")
    }
    guard (1...64).contains(sku.count), sku.allSatisfy(isSKUByte) else { fatalError("accepted an invalid sku") }
    guard scanned.qty >= 1, Int64(scanned.qty) <= PurchaseBody.maxQuantity else { fatalError("accepted qty \(scanned.qty)") }
    guard parsed.sku == String(decoding: sku, as: UTF8.self), parsed.qty == scanned.qty else { fatalError("parse differs from scan") }
    return 0
}

func isSKUByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2E, 0x5F, 0x2D: return true
    default: return false
    }
}
