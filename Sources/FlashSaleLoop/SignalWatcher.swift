import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// Watches a POSIX signal on a loop (`uv_signal_t`). Loop thread only.
public final class SignalWatcher: LoopHandleOwner {
    private let handle: UnsafeMutablePointer<uv_signal_t>
    private var callback: ((Int32) -> Void)?

    /// Starts watching `signal` (e.g. `SignalWatcher.sigterm`) on `loop`.
    public init(loop: EventLoop, signal: Int32, _ callback: @escaping (Int32) -> Void) {
        handle = LoopHandleOwner.allocateHandle(uv_signal_t())
        self.callback = callback
        super.init()
        uv_signal_init(loop.uvLoop, handle)
        adopt(handle)
        uv_signal_start(handle, { handle, signum in
            guard let handle, let data = handle.pointee.data else { return }
            Unmanaged<SignalWatcher>.fromOpaque(data).takeUnretainedValue().callback?(signum)
        }, signal)
    }

    /// SIGTERM.
    public static let sigterm = SIGTERM
    /// SIGINT.
    public static let sigint = SIGINT

    /// Ignores SIGPIPE for the process (writes to closed sockets return EPIPE instead).
    public static func ignoreSIGPIPE() { signal(SIGPIPE, SIG_IGN) }

    /// Stops watching; memory is freed in the close callback.
    public func close() {
        closeOwnedHandle(UnsafeMutableRawPointer(handle)) {
            callback = nil
        }
    }

    package override func closeForShutdown() { close() }
}
