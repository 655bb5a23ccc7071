import CLibUV

/// Runs a callback once per loop turn, right after the turn's I/O callbacks
/// (a `uv_check_t`). Loop thread only.
///
/// Group commit uses it: everything decided while the loop handled one batch
/// of readable sockets is flushed together when the turn's I/O is done. An
/// active observer does not keep the loop awake or spinning: libuv still
/// blocks in poll until there is I/O, a timer or a wake-up.
///
/// The observer keeps itself alive until ``close()`` (or loop shutdown) has
/// completed: drop your reference after closing.
public final class LoopTurnObserver: LoopHandleOwner {
    private let handle: UnsafeMutablePointer<uv_check_t>
    private var callback: (() -> Void)?
    private var isClosing = false

    /// Creates a stopped observer on `loop`. Call on the loop's thread.
    public init(loop: EventLoop) {
        handle = .allocate(capacity: 1)
        handle.initialize(to: uv_check_t())
        super.init()
        uv_check_init(loop.uvLoop, handle)
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Starts (or restarts with a new callback): `callback` runs at the end of
    /// every loop turn until ``stop()``.
    public func start(_ callback: @escaping () -> Void) {
        guard !isClosing else { return }
        self.callback = callback
        uv_check_start(handle) { handle in
            guard let handle, let data = handle.pointee.data else { return }
            Unmanaged<LoopTurnObserver>.fromOpaque(data).takeUnretainedValue().callback?()
        }
    }

    /// Stops calling back; ``start(_:)`` may be called again.
    public func stop() {
        guard !isClosing else { return }
        uv_check_stop(handle)
    }

    /// Whether the observer is running.
    public var isActive: Bool {
        !isClosing && uv_is_active(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)) != 0
    }

    /// Closes the observer for good. Its memory is freed in the close callback.
    public func close() {
        guard !isClosing else { return }
        isClosing = true
        callback = nil
        uv_close(UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)) { handle in
            guard let handle else { return }
            if let data = handle.pointee.data {
                Unmanaged<LoopTurnObserver>.fromOpaque(data).release()
            }
            UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_check_t.self).deallocate()
        }
    }

    package override func closeForShutdown() { close() }
}
