import FlashSaleCore
import Foundation
import TestSupport
import XCTest

/// docs/redis-schema.md's "Order ids" as another language reads it:
/// examples/derived_order_id.py (standard-library Python) derives the same id as the engine.
final class DerivedOrderIDExampleTests: XCTestCase {
    func testThePythonDerivationMatchesTheEngine() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/derived_order_id.py").path
        var generator = SeededRandom(seed: 12)
        // Users and keys of lengths around the 8-byte words, and a UTF-8 key.
        let cases = [("a", "k"), ("alice", "9f1c2b"), ("user-0007", "key-with-16-byte"), ("u", "ключ-é"),
                     (String(repeating: "x", count: 64), String(repeating: "y", count: 63))]
        for (index, (user, key)) in cases.enumerated() {
            let salt = index == 0 ? OrderIDSalt(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
                : OrderIDSalt.random(using: &generator)
            var u = user
            var k = key
            let expected = u.withUTF8 { ub in
                k.withUTF8 { kb in OrderID(salt: salt, user: UnsafeRawBufferPointer(ub), key: UnsafeRawBufferPointer(kb)).text }
            }
            let python = try ChildProcess(executable: "/usr/bin/env", arguments: ["python3", example, salt.hex, user, key])
            XCTAssertEqual(python.waitForExit(timeoutSeconds: 30), 0, python.output())
            XCTAssertEqual(python.output().trimmingCharacters(in: .whitespacesAndNewlines), expected, "\(user) \(key)")
        }
    }
}
