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
}
