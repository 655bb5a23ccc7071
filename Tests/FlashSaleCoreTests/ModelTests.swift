import FlashSaleCore
import Testing

struct ModelTests {
    /// Thousands of random operation sequences checked step by step against the reference
    /// model in ModelHarness. A failure names its seed: rerun it with FLASHSALE_CORE_SEED=<seed>.
    @Test func randomSequencesMatchTheModel() throws {
        var failures: [String] = []
        var seen: [String: Int] = [:]
        for seed in TestSeeds.seeds(defaultBase: 0xF1A5_0000, defaultCount: 1500) {
            do {
                let harness = try ModelHarness(seed: seed)
                defer { seen.merge(harness.seen, uniquingKeysWith: +) }
                try harness.run(steps: 150)
            } catch {
                failures.append("seed \(seed) (FLASHSALE_CORE_SEED=\(seed)): \(error)")
                if failures.count >= 3 { break }
            }
        }
        for failure in failures { print(failure) }
        print("model test decisions: \(seen.sorted { $0.key < $1.key })")
        #expect(failures.isEmpty, "\(failures.first ?? "")")
        // Every path of the decision was exercised.
        for kind in ["reserved", "duplicate", "soldOut", "limitExceeded", "saleNotStarted", "saleEnded", "saleNotFound",
            "skuNotFound", "idempotencyKeyReused", "invalidQuantity", "parked", "overloaded"] where failures.isEmpty
        {
            #expect(seen[kind, default: 0] > 0, "never saw \(kind)")
        }
    }
}
