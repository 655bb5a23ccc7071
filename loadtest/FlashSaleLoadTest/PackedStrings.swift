/// Many short byte strings (user ids, tokens) in one allocation.
struct PackedStrings: Sendable {
    private var storage: [UInt8] = []
    private var ends: [Int32] = []

    init() {}

    mutating func append(_ text: String) {
        storage.append(contentsOf: text.utf8)
        ends.append(Int32(storage.count))
    }

    var count: Int { ends.count }

    /// Calls `body` with the bytes of element `index`.
    func withBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let start = index == 0 ? 0 : Int(ends[index - 1])
        let end = Int(ends[index])
        return storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    func string(_ index: Int) -> String {
        withBytes(index) { String(decoding: $0, as: UTF8.self) }
    }
}
