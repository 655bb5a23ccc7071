import CLibUV

/// Runs a callback once per loop turn, right after I/O callbacks (a
/// `uv_check_t`), while started. Used to batch work done during a turn, e.g.
/// one write per connection for every response completed in that turn.
/// Loop thread only; keeps itself alive until ``close()`` completes.
public final class LoopTurnHook: LoopHandleOwner {
    private let handle: UnsafeMutablePointer<uv_check_t>
    private var callback: (() -> Void)?
    /// Whether the hook is armed.
    public private(set) var isStarted = false

    /// Creates a stopped hook on `loop` that will run `callback`.
    public init(loop: EventLoop, _ callback: @escaping () -> Void) {
        handle = LoopHandleOwner.allocateHandle(uv_check_t())
        self.callback = callback
        super.init()
        uv_check_init(loop.uvLoop, handle)
        adopt(handle)
    }

    /// Creates a stopped hook on `loop`; give it its callback with ``start(_:)``.
    public convenience init(loop: EventLoop) {
        self.init(loop: loop) {}
    }

    /// Replaces the callback and arms the hook.
    public func start(_ callback: @escaping () -> Void) {
        guard !isHandleClosing else { return }
        self.callback = callback
        start()
    }

    /// Arms the hook (idempotent).
    public func start() {
        guard !isHandleClosing, !isStarted else { return }
        isStarted = true
        uv_check_start(handle) { h in
            guard let h, let data = h.pointee.data else { return }
            Unmanaged<LoopTurnHook>.fromOpaque(data)._withUnsafeGuaranteedRef { $0.callback?() }
        }
    }

    /// Disarms the hook (idempotent).
    public func stop() {
        guard !isHandleClosing, isStarted else { return }
        isStarted = false
        uv_check_stop(handle)
    }

    /// Closes the hook for good; memory is freed in the close callback.
    public func close() {
        closeOwnedHandle(UnsafeMutableRawPointer(handle)) {
            isStarted = false
            callback = nil
        }
    }

    package override func closeForShutdown() { close() }
}
