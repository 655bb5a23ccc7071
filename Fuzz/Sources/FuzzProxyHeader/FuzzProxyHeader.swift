import FlashSaleHTTP
import FlashSaleLoop
import FuzzSupport

/// One input, differential and bounded: the first two bytes pick two cut points; the
/// rest goes to the PROXY protocol header parser whole, in three pieces, and one byte
/// at a time (at most 512 bytes). Same verdict and the same bytes consumed, never more
/// than the bounds (107 bytes for v1, 16 + 2048 for v2); a relayed source address
/// prints as text that parses back to the same address.
// Also exported under libFuzzer's name: clang links libFuzzer whole, its own main included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (input, cuts) = fuzzCuts(data, size) else { return 0 }
    let count = input.count
    let whole = feed(input, cuts: [count])
    guard whole.consumed <= count, whole.consumed <= 16 + ProxyHeaderParser.maxV2PayloadBytes else {
        fatalError("consumed \(whole.consumed) of \(count)")
    }
    if case .done(let header) = whole.result {
        if count > 0, input[0] == UInt8(ascii: "P"), whole.consumed > ProxyHeaderParser.maxV1Bytes {
            fatalError("a v1 line of \(whole.consumed) bytes was accepted")
        }
        if case .relayed(let source) = header, IPAddress(source.description) != source {
            fatalError("\(source) does not read back")
        }
    }
    let pieces = feed(input, cuts: Array(cuts.dropFirst()))
    guard pieces.result == whole.result, pieces.consumed == whole.consumed else {
        fatalError("cut at \(cuts[1]) and \(cuts[2]) of \(count): \(pieces) instead of \(whole)")
    }
    if count <= 512 {
        let bytewise = feed(input, cuts: Array(1...max(1, count)))
        guard bytewise.result == whole.result, bytewise.consumed == whole.consumed else {
            fatalError("one byte at a time: \(bytewise) instead of \(whole)")
        }
    }
    return 0
}

/// Feeds `input` cut at `cuts` (increasing ends) until a verdict.
private func feed(_ input: UnsafeRawBufferPointer, cuts: [Int]) -> (consumed: Int, result: ProxyHeaderParser.Result) {
    let parser = ProxyHeaderParser()
    var consumed = 0
    var start = 0
    var result = ProxyHeaderParser.Result.needMore
    for end in cuts where end > start && end <= input.count {
        let piece = UnsafeRawBufferPointer(rebasing: input[start..<end])
        let (used, verdict) = parser.parse(piece.baseAddress!, piece.count)
        guard used <= piece.count else { fatalError("consumed \(used) of a piece of \(piece.count)") }
        consumed += used
        result = verdict
        if verdict != .needMore { break }
        start = end
    }
    return (consumed, result)
}
