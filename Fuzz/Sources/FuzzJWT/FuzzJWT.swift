import FlashSaleServer

/// The verifier of the seed tokens (Fuzz/corpus/jwt holds tokens signed with this secret).
let verifier = JWTVerifier(secret: "fuzz-secret-0123456789abcdef0123")

/// One input: the JWT verifier, given the input as a token and as an
/// `Authorization` header. An accepted subject is non-empty, and a token
/// accepted bare is accepted as `Bearer <token>` with the same subject.
// Also exported under libFuzzer's name: clang links libFuzzer whole, its own main included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let now: Int64 = 1_800_000_000
    let asToken = try? verifier.verify(token: bytes, nowSeconds: now)
    let asHeader = try? verifier.verify(authorization: bytes, nowSeconds: now)
    if let subject = asToken, subject.isEmpty { fatalError("accepted a token without a subject") }
    if let subject = asHeader, subject.isEmpty { fatalError("accepted a header without a subject") }
    guard let asToken else { return 0 }
    var header = Array("Bearer ".utf8)
    header.append(contentsOf: bytes)
    let bearer = header.withUnsafeBytes { try? verifier.verify(authorization: $0, nowSeconds: now) }
    guard bearer == asToken else { fatalError("a valid token is refused behind Bearer") }
    return 0
}
