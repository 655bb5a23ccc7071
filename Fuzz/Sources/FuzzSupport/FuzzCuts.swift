/// A differential harness's input: the bytes after the first two, and the cut points
/// those two pick in them (`[0, low, high, count]`), so libFuzzer explores the splits
/// along with the bytes. Nil for inputs under two bytes.
public func fuzzCuts(_ data: UnsafePointer<UInt8>, _ size: Int) -> (input: UnsafeRawBufferPointer, cuts: [Int])? {
    guard size >= 2 else { return nil }
    let input = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    let count = input.count
    let a = count == 0 ? 0 : Int(data[0]) * count / 256
    let b = count == 0 ? 0 : Int(data[1]) * count / 256
    return (input, [0, min(a, b), max(a, b), count])
}
