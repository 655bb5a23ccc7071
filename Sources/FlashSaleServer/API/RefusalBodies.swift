import FlashSaleCore

/// The JSON error bodies of the core's refusals (`{"error":{"code":…,"message":…}}`),
/// built once per worker: a refusal, the answer most buyers of a sold-out burst get,
/// is then a single copy into the connection's output buffer.
final class RefusalBodies {
    /// The refusals, in slot order.
    static let decisions: [PurchaseDecision] = [
        .soldOut, .limitExceeded, .saleNotStarted, .saleEnded, .saleNotFound, .skuNotFound,
        .idempotencyKeyReused, .invalidQuantity,
    ]

    // Behind `let` pointers: reading a body costs no retain and no exclusivity check.
    private let storage: UnsafeMutableRawPointer
    private let offsets: UnsafeMutablePointer<Int>

    init() {
        var bytes: [UInt8] = []
        var offsets = [0]
        for decision in Self.decisions {
            guard let code = decision.errorCode, let message = decision.errorMessage else { continue }
            // The core's codes and messages are plain ASCII without quotes or backslashes.
            bytes += Array(#"{"error":{"code":""#.utf8)
            bytes += UnsafeBufferPointer(start: code.utf8Start, count: code.utf8CodeUnitCount)
            bytes += Array(#"","message":""#.utf8)
            bytes += UnsafeBufferPointer(start: message.utf8Start, count: message.utf8CodeUnitCount)
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

    /// The slot of a refusal in ``decisions``, or nil for anything else.
    @inline(__always)
    static func slot(_ decision: PurchaseDecision) -> Int? {
        switch decision {
        case .soldOut: 0
        case .limitExceeded: 1
        case .saleNotStarted: 2
        case .saleEnded: 3
        case .saleNotFound: 4
        case .skuNotFound: 5
        case .idempotencyKeyReused: 6
        case .invalidQuantity: 7
        default: nil
        }
    }

    /// The body of refusal `slot`.
    @inline(__always)
    func body(_ slot: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + offsets[slot], count: offsets[slot + 1] - offsets[slot])
    }
}
