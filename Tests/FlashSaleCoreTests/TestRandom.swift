import FlashSaleCore
import Foundation
import TestSupport

/// Seeds for randomized tests: `FLASHSALE_CORE_SEED=<n>` replays one sequence;
/// `FLASHSALE_CORE_RUNS=<n>` changes how many sequences run.
enum TestSeeds {
    static func seeds(defaultBase: UInt64, defaultCount: Int) -> [UInt64] {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["FLASHSALE_CORE_SEED"], let seed = UInt64(text) { return [seed] }
        let count = environment["FLASHSALE_CORE_RUNS"].flatMap { Int($0) } ?? defaultCount
        return (0..<UInt64(count)).map { defaultBase &+ $0 }
    }
}

extension PurchaseDecision {
    /// The case name, for messages and comparisons that ignore payloads.
    var kind: String {
        switch self {
        case .reserved: "reserved"
        case .duplicate: "duplicate"
        case .soldOut: "soldOut"
        case .limitExceeded: "limitExceeded"
        case .saleNotStarted: "saleNotStarted"
        case .saleEnded: "saleEnded"
        case .saleNotFound: "saleNotFound"
        case .skuNotFound: "skuNotFound"
        case .idempotencyKeyReused: "idempotencyKeyReused"
        case .invalidQuantity: "invalidQuantity"
        case .parked: "parked"
        case .overloaded: "overloaded"
        }
    }
}
