import FlashSaleLoop
import Foundation
import TestSupport
import XCTest

final class LoopTurnHookTests: XCTestCase {
    func testRunsAfterTheTurnsCallbacksAndStops() {
        let fixture = LoopFixture()
        defer { fixture.shutdown() }
        let state = LoopOwned<(observer: LoopTurnHook?, seen: [Int], pending: [Int])>((nil, [], []))
        let loop = fixture.loop
        fixture.sync {
            let observer = LoopTurnHook(loop: loop)
            state.value.observer = observer
            observer.start {
                // Everything queued during the turn is visible here at once.
                if !state.value.pending.isEmpty {
                    state.value.seen.append(state.value.pending.count)
                    state.value.pending.removeAll()
                }
            }
            XCTAssertTrue(observer.isStarted)
        }
        // Three tasks handed over in one turn (one execute) come out as one batch of three.
        fixture.sync { for value in 1...3 { state.value.pending.append(value) } }
        XCTAssertTrue(waitUntil(timeoutSeconds: 2) { fixture.sync { state.value.seen } == [3] })
        fixture.sync { state.value.pending.append(4) }
        XCTAssertTrue(waitUntil(timeoutSeconds: 2) { fixture.sync { state.value.seen } == [3, 1] })

        fixture.sync { state.value.observer?.stop() }
        fixture.sync { state.value.pending.append(5) }
        Thread.sleep(forTimeInterval: 0.1)
        fixture.sync { }  // one more turn
        XCTAssertEqual(fixture.sync { state.value.seen }, [3, 1], "a stopped observer is not called")
        fixture.sync {
            XCTAssertFalse(state.value.observer!.isStarted)
            state.value.observer?.close()
            state.value.observer = nil
        }
    }
}
