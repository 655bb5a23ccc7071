import FlashSaleHTTP

/// The constant JSON error bodies (`{"error":{"code":…,"message":…}}`), one per code of
/// the error table (``APIErrorCode``, message = its meaning), built once per worker: a
/// refusal, the answer most buyers of a sold-out burst get, is then a single copy into
/// the connection's output buffer. Every code has a body, so a refusal always answers.
final class RefusalBodies {
    // Behind `let` pointers: reading a body costs no retain and no exclusivity check.
    private let storage: UnsafeMutableRawPointer
    private let offsets: UnsafeMutablePointer<Int>

    init() {
        var bytes: [UInt8] = []
        var offsets = [0]
        for code in APIErrorCode.allCases {
            precondition(Int(code.rawValue) == offsets.count - 1, "APIErrorCode raw values are dense")
            let name = code.code, meaning = code.meaning
            // Codes and meanings are plain ASCII without quotes or backslashes.
            bytes += Array(#"{"error":{"code":""#.utf8)
            bytes += UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            bytes += Array(#"","message":""#.utf8)
            bytes += UnsafeBufferPointer(start: meaning.utf8Start, count: meaning.utf8CodeUnitCount)
            bytes += Array(#""}}"#.utf8)
            offsets.append(bytes.count)
        }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        self.storage = storage
        self.offsets = .allocate(capacity: offsets.count)
        self.offsets.initialize(from: offsets, count: offsets.count)
    }

    deinit {
        storage.deallocate()
        offsets.deallocate()
    }

    /// The body of `code`.
    @inline(__always)
    func body(_ code: APIErrorCode) -> UnsafeRawBufferPointer {
        let slot = Int(code.rawValue)
        return UnsafeRawBufferPointer(start: storage + offsets[slot], count: offsets[slot + 1] - offsets[slot])
    }
}
