import CLibUV
import Synchronization

/// One libuv event loop, run by one thread.
///
/// Everything attached to a loop (timers, TCP handles, the Redis connection)
/// is touched only on that loop's thread. Other threads talk to it through
/// ``execute(_:)``, the one thread-safe entry point, which wakes the loop
/// with a `uv_async_t`.
public final class EventLoop: @unchecked Sendable {
    let uvLoop: UnsafeMutablePointer<uv_loop_t>
    private let wakeup: UnsafeMutablePointer<uv_async_t>
    /// One read buffer per loop, shared by every TCP connection on it: a read
    /// callback consumes its bytes before the next read starts, so idle
    /// connections hold no read memory.
    let readBuffer: UnsafeMutableRawPointer
    static let readBufferSize = 65536
    /// Tasks from other threads, and whether the loop still takes them: once it closes,
    /// its async handle is gone and ``execute(_:)`` must not touch it.
    private let inbox = Mutex<(tasks: [@Sendable () -> Void], open: Bool)>(([], true))
    /// Loop thread only: run at shutdown, before the remaining handles are closed, so
    /// owners of handles the loop cannot close itself (the hiredis adapter's poll
    /// handle) close them their own way.
    private var closeHooks: [() -> Void] = []
    private let runningThread = Mutex<uv_thread_t?>(nil)
    private var closed = false

    /// Creates a loop. Run it with ``run()`` on the thread that will own it,
    /// or use ``startThread(name:)``.
    public init() {
        uvLoop = .allocate(capacity: 1)
        let rc = uv_loop_init(uvLoop)
        precondition(rc == 0, "uv_loop_init failed: \(EventLoop.describe(rc))")
        readBuffer = .allocate(byteCount: EventLoop.readBufferSize, alignment: 8)
        wakeup = .allocate(capacity: 1)
        wakeup.initialize(to: uv_async_t())
        uv_async_init(uvLoop, wakeup) { handle in
            guard let handle, let data = handle.pointee.data else { return }
            Unmanaged<EventLoop>.fromOpaque(data).takeUnretainedValue().drainInbox()
        }
        // Unretained: the loop object outlives its own async handle (closed in run()).
        wakeup.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        if !closed {
            // Never ran: close the async handle and release the loop here.
            finishAndClose()
        }
    }

    /// Starts a thread that runs a new loop until ``stop()``; returns the loop.
    public static func startThread(name: String = "flashsale-loop") -> EventLoop {
        let loop = EventLoop()
        let box = Unmanaged.passRetained(loop).toOpaque()
        var tid = uv_thread_t()
        let rc = uv_thread_create(&tid, { arg in
            guard let arg else { return }
            let loop = Unmanaged<EventLoop>.fromOpaque(arg).takeRetainedValue()
            loop.run()
        }, box)
        precondition(rc == 0, "uv_thread_create failed: \(describe(rc))")
        loop.thread = tid
        return loop
    }

    private var thread: uv_thread_t?

    /// Runs this loop on a new thread until ``stop()``. For a loop created with
    /// ``init()`` whose handles were set up on the calling thread before the
    /// loop thread exists (thread creation orders those writes before the run).
    public func runOnNewThread() {
        precondition(thread == nil, "loop already has a thread")
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = uv_thread_t()
        let rc = uv_thread_create(&tid, { arg in
            guard let arg else { return }
            Unmanaged<EventLoop>.fromOpaque(arg).takeRetainedValue().run()
        }, box)
        precondition(rc == 0, "uv_thread_create failed: \(EventLoop.describe(rc))")
        thread = tid
    }

    /// Waits for the thread started by ``startThread(name:)`` to finish.
    public func join() {
        guard var tid = thread else { return }
        thread = nil
        uv_thread_join(&tid)
    }

    /// Runs the loop on the calling thread until ``stop()``, then closes every
    /// handle still open (running their close callbacks) and the loop itself.
    public func run() {
        runningThread.withLock { $0 = uv_thread_self() }
        drainInbox()
        uv_run(uvLoop, UV_RUN_DEFAULT)
        finishAndClose()
        runningThread.withLock { $0 = nil }
    }

    /// Asks the loop to stop after the current turn. Thread-safe.
    public func stop() {
        execute { [self] in uv_stop(uvLoop) }
    }

    /// Runs `task` on the loop's thread, soon. Thread-safe. Returns false (and drops
    /// the task) once the loop has closed.
    @discardableResult
    public func execute(_ task: @escaping @Sendable () -> Void) -> Bool {
        inbox.withLock { inbox in
            guard inbox.open else { return false }
            inbox.tasks.append(task)
            // Under the lock: the closing loop frees the async handle only after it
            // marked the inbox closed under the same lock.
            uv_async_send(wakeup)
            return true
        }
    }

    /// Runs `hook` on the loop thread when the loop shuts down, before it closes the
    /// handles still open. Loop thread only (or before the loop runs).
    package func onClose(_ hook: @escaping () -> Void) {
        closeHooks.append(hook)
    }

    /// Whether the caller is on this loop's thread.
    public var inEventLoop: Bool {
        runningThread.withLock { tid in
            guard var tid else { return false }
            var me = uv_thread_self()
            return uv_thread_equal(&tid, &me) != 0
        }
    }

    /// The loop's cached time in milliseconds (monotonic, updated each turn).
    public var nowMillis: UInt64 { uv_now(uvLoop) }

    /// Updates the loop's cached time; call before reading ``nowMillis`` in long callbacks.
    public func updateTime() { uv_update_time(uvLoop) }

    /// Monotonic nanoseconds.
    public static func monotonicNanos() -> UInt64 { uv_hrtime() }

    /// Wall-clock time in milliseconds since the Unix epoch.
    public static func wallClockMillis() -> Int64 {
        var tv = uv_timeval64_t()
        uv_gettimeofday(&tv)
        return tv.tv_sec * 1000 + Int64(tv.tv_usec / 1000)
    }

    /// The `uv_loop_t *` as an untyped pointer, for C adapters inside this
    /// package (hiredis). Not for public use.
    package var rawLoopPointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(uvLoop) }

    private func drainInbox() {
        let tasks = inbox.withLock { inbox -> [@Sendable () -> Void] in
            let out = inbox.tasks
            inbox.tasks.removeAll(keepingCapacity: true)
            return out
        }
        for task in tasks { task() }
    }

    private func finishAndClose() {
        if closed { return }
        closed = true
        // Run tasks that arrived while stopping, take no more, let owners close their
        // handles their own way, then close what is still open.
        drainInbox()
        inbox.withLock { $0.open = false }
        drainInbox()
        let hooks = closeHooks
        closeHooks.removeAll()
        for hook in hooks { hook() }
        // One turn runs the close callbacks of what the hooks closed (other handles,
        // the async one included, are still active: the loop would not go idle).
        uv_run(uvLoop, UV_RUN_NOWAIT)
        uv_walk(uvLoop, { handle, arg in
            guard let handle, let arg, uv_is_closing(handle) == 0 else { return }
            let loop = Unmanaged<EventLoop>.fromOpaque(arg).takeUnretainedValue()
            if UnsafeMutableRawPointer(handle) == UnsafeMutableRawPointer(loop.wakeup) {
                uv_close(handle, nil)
            } else if handle.pointee.type == UV_POLL || handle.pointee.data == nil {
                // Not a LoopHandleOwner's. Poll handles belong to the hiredis adapter,
                // which its client closed from a close hook above; one still open here
                // would be a client that registered none, and its memory is not ours.
                uv_close(handle, nil)
            } else {
                // Every other handle belongs to a LoopHandleOwner, which frees it
                // in its own close callback.
                Unmanaged<LoopHandleOwner>.fromOpaque(handle.pointee.data)
                    .takeUnretainedValue().closeForShutdown()
            }
        }, Unmanaged.passUnretained(self).toOpaque())
        while uv_run(uvLoop, UV_RUN_NOWAIT) != 0 {}
        uv_loop_close(uvLoop)
        wakeup.deallocate()
        uvLoop.deallocate()
        readBuffer.deallocate()
    }

    /// libuv error code to text, e.g. "ECONNREFUSED (connection refused)".
    public static func describe(_ code: Int32) -> String {
        let name = uv_err_name(code).map { String(cString: $0) } ?? "?"
        let text = uv_strerror(code).map { String(cString: $0) } ?? "?"
        return "\(name) (\(text))"
    }
}
