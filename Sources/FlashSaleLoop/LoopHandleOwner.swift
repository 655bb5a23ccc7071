import CLibUV

/// Base class of every Swift object that owns one libuv handle.
///
/// Convention (see docs/architecture.md, "C callbacks"): the handle's `data`
/// holds `Unmanaged.passRetained(owner)` from init until the handle's close
/// callback, which releases it and frees the handle memory. So an owner lives
/// at least as long as its handle, and a handle is freed only in its close
/// callback.
public class LoopHandleOwner {
    package init() {}

    /// Called by ``EventLoop`` when it shuts down with this handle still open.
    /// Subclasses `uv_close` their handle here (idempotently).
    package func closeForShutdown() {}

    /// A new handle's memory, holding `empty` (e.g. `uv_timer_t()`), to be `uv_*_init`ed
    /// and then ``adopt(_:)``ed.
    package static func allocateHandle<Handle>(_ empty: Handle) -> UnsafeMutablePointer<Handle> {
        let handle = UnsafeMutablePointer<Handle>.allocate(capacity: 1)
        handle.initialize(to: empty)
        return handle
    }

    /// Makes this owner the initialized `handle`'s: its `data` retains the owner until
    /// the close callback (the convention above).
    package func adopt<Handle>(_ handle: UnsafeMutablePointer<Handle>) {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self).pointee.data =
            Unmanaged.passRetained(self).toOpaque()
    }

    /// Whether ``closeOwnedHandle(_:dropping:)`` has begun closing the handle.
    package private(set) var isHandleClosing = false

    /// Closes once: the first call runs `dropCallbacks`, then `uv_close`s `handle`, whose
    /// `data` holds this owner (the convention above); the close callback releases the
    /// owner and frees the handle's memory. Later calls do nothing. For the owners whose
    /// close needs nothing more (timer, signal watcher, turn hook, listener).
    package func closeOwnedHandle(_ handle: UnsafeMutableRawPointer, dropping dropCallbacks: () -> Void) {
        guard !isHandleClosing else { return }
        isHandleClosing = true
        dropCallbacks()
        uv_close(handle.assumingMemoryBound(to: uv_handle_t.self)) { handle in
            guard let handle else { return }
            if let data = handle.pointee.data { Unmanaged<LoopHandleOwner>.fromOpaque(data).release() }
            UnsafeMutableRawPointer(handle).deallocate()
        }
    }
}
