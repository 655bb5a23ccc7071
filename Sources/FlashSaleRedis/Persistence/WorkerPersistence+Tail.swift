import FlashSaleCore
import FlashSaleLoop

/// The tail of a sale: the last units must not stay idle in one worker's slice while
/// another worker (or node) turns buyers away. The core parks a purchase instead of
/// answering `sold_out` while the pool is empty but units are leased elsewhere (the lease
/// script reports them); this worker then polls the pool every `tailPollMillis`, and every
/// worker hands back an idle tail slice, or one a sibling starves for, from housekeeping.
/// See docs/redis-persistence.md ("The tail").
extension WorkerPersistence {
    /// Arms the tail poll timer while purchases are parked (a no-op otherwise).
    func armTailPollIfNeeded() {
        guard shard.parkedCount > 0, !stopping, !tailPollTimer.isActive else { return }
        let period = UInt64(max(1, process.configuration.leasePolicy.tailPollMillis))
        tailPollTimer.start(afterMillis: period) { [unowned self] in self.tailPollFired() }
    }

    private func tailPollFired() {
        guard ready, !stopping else { return }
        let now = EventLoop.wallClockMillis()
        shard.pollTail(now: now)
        // The lease requests leave in this loop turn (afterTurn), which re-arms the timer.
    }

    /// Hands back the slices the core picks at the tail (`WorkerShard.returnTailSlices`).
    func returnTailSlices(now: Int64) {
        guard client.canAcceptCommand else { return }
        shard.returnTailSlices(now: now) { ret in
            let call = FlashSaleScripts.leaseReturnCall(
                sale: ret.saleName, sku: ret.skuName, worker: workerID, units: Int64(ret.units))
            // A failed return leaves the units in this worker's lease in Redis; the
            // shutdown return ("all") or a restart's reclaim hands them back.
            client.run(call) { [unowned self] result in
                if case .success(let reply) = result,
                    case .changed(let change)? = try? LeaseOutcome.parse(reply, script: FlashSaleScripts.leaseReturn)
                {
                    self.stats.unitsReturned += Int(change.units)
                    self.stats.unitsReturnedAtTail += Int(change.units)
                }
            }
        }
    }
}
