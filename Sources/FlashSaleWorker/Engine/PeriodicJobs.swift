import FlashSaleLoop

/// The engine's repeating jobs (housekeeping, the stats publisher, the expiry sweep, the
/// sale sync): one loop timer each, owned here and closed together when the engine
/// finishes, so the jobs themselves hold no timer. Loop thread only.
final class PeriodicJobs {
    private let loop: EventLoop
    private var timers: [LoopTimer] = []

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// Runs `job` every `periodMillis`, the first time one period from now.
    func every(_ periodMillis: UInt64, _ job: @escaping () -> Void) {
        let timer = LoopTimer(loop: loop)
        timer.start(afterMillis: periodMillis, repeatMillis: periodMillis, job)
        timers.append(timer)
    }

    /// Closes every timer, in the order the jobs were started.
    func closeAll() {
        for timer in timers { timer.close() }
        timers.removeAll()
    }
}
