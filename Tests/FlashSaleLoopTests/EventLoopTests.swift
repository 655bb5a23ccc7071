import FlashSaleLoop
import Foundation
import XCTest

final class EventLoopTests: XCTestCase {
    func testExecuteAfterTheLoopClosedIsRefusedNotACrash() {
        let loop = EventLoop.startThread(name: "closing")
        let ran = expectation(description: "ran")
        XCTAssertTrue(loop.execute { ran.fulfill() })
        wait(for: [ran], timeout: 2)
        loop.stop()
        loop.join()
        // The async handle is freed now: a late task is dropped, and says so.
        XCTAssertFalse(loop.execute { XCTFail("must not run") })
    }

    func testLoopBoundValueIsReadableOnlyOnItsLoop() {
        let loop = EventLoop.startThread(name: "bound")
        defer {
            loop.stop()
            loop.join()
        }
        let bound = LoopBound(41, loop: loop)
        let read = expectation(description: "read on the loop")
        loop.execute {
            XCTAssertEqual(bound.value + 1, 42)
            XCTAssertTrue(bound.loop.inEventLoop)
            read.fulfill()
        }
        wait(for: [read], timeout: 2)
        XCTAssertFalse(bound.loop.inEventLoop, "the test thread is not the loop's")
    }
}
