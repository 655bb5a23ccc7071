import FlashSaleCore
import Foundation

/// SplitMix64: small, fast, reproducible from a seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}

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
