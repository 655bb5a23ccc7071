import CLibUV

/// A `uv_timer_t` on one loop. Loop thread only.
///
/// The timer keeps itself alive until ``close()`` (or loop shutdown) has
/// completed: drop your reference after closing.
public final class LoopTimer: LoopHandleOwner {
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private var callback: (() -> Void)?

    /// Creates a stopped timer on `loop`. Call on the loop's thread.
    public init(loop: EventLoop) {
        handle = LoopHandleOwner.allocateHandle(uv_timer_t())
        super.init()
        uv_timer_init(loop.uvLoop, handle)
        adopt(handle)
    }

    /// (Re)starts the timer: `callback` runs after `afterMillis`, then every
    /// `repeatMillis` if that is not zero.
    public func start(afterMillis: UInt64, repeatMillis: UInt64 = 0, _ callback: @escaping () -> Void) {
        guard !isHandleClosing else { return }
        self.callback = callback
        uv_timer_start(handle, { handle in
            guard let handle, let data = handle.pointee.data else { return }
            let timer = Unmanaged<LoopTimer>.fromOpaque(data).takeUnretainedValue()
            timer.callback?()
        }, afterMillis, repeatMillis)
    }

    /// Stops the timer; it can be started again.
    public func stop() {
        guard !isHandleClosing else { return }
        uv_timer_stop(handle)
    }

    /// Whether the timer is armed.
    public var isActive: Bool { !isHandleClosing && uv_is_active(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)) != 0 }

    /// Closes the timer for good. Its memory is freed in the close callback.
    public func close() {
        closeOwnedHandle(UnsafeMutableRawPointer(handle)) {
            callback = nil
        }
    }

    package override func closeForShutdown() { close() }
}
