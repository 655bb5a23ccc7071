/// Carries a loop-confined value across threads (into a task for its loop, or into a
/// holder that only keeps it alive) and checks, on every access, that it is read on its
/// loop's thread: what SwiftNIO's `NIOLoopBound` does. Creating and holding it is safe
/// anywhere; reading ``value`` elsewhere traps.
public struct LoopBound<Value>: @unchecked Sendable {
    private let boxed: Value
    /// The loop whose thread may read the value.
    public let loop: EventLoop

    /// Binds `value` to `loop`.
    public init(_ value: Value, loop: EventLoop) {
        boxed = value
        self.loop = loop
    }

    /// The value; on `loop`'s thread only.
    public var value: Value {
        precondition(loop.inEventLoop, "a loop-bound value was read off its loop's thread")
        return boxed
    }
}
