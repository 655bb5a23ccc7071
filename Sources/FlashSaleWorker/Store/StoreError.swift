/// Why a store call failed. The engine and the API read only this; the store (Redis)
/// maps its own errors onto it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store is unreachable, slow or lost the connection (answer 503 + Retry-After).
    /// `surelyNotRun`: the command never reached the store (not connected, queue full),
    /// so it certainly did nothing; otherwise it may have run (a timeout, a lost reply).
    case unavailable(String, surelyNotRun: Bool)
    /// The store ran the command and refused it (a script error): nothing changed.
    case refused(String)
    /// The store answered something the engine cannot read (answer 500).
    case badReply(String)
    /// The request is invalid (answer 400), e.g. a sale definition the core refuses.
    case invalid(String)

    /// True when the command certainly did not run.
    public var surelyNotRun: Bool {
        if case .unavailable(_, let notRun) = self { return notRun }
        return false
    }

    public var description: String {
        switch self {
        case .unavailable(let why, _): return "store unavailable: \(why)"
        case .refused(let why): return "store refused the command: \(why)"
        case .badReply(let why): return "unexpected store reply: \(why)"
        case .invalid(let why): return why
        }
    }
}
