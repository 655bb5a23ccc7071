import FlashSaleWorker
import Testing

@Suite struct StoreErrorTests {
    @Test func onlyUnavailableCanBeSurelyNotRun() {
        #expect(StoreError.unavailable("down", surelyNotRun: true).surelyNotRun)
        #expect(!StoreError.unavailable("timeout", surelyNotRun: false).surelyNotRun)
        #expect(!StoreError.refused("ERR").surelyNotRun)
        #expect(!StoreError.badReply("?").surelyNotRun)
    }
}
