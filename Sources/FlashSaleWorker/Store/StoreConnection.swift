/// The connection under a worker's stores: its health and its backpressure.
/// Loop thread only, like the engine that holds it.
public protocol StoreConnection: AnyObject {
    /// The connection state (`.up`: commands are accepted).
    var health: StoreHealth { get }
    /// Whether one more command would be queued rather than refused at once.
    var canAcceptCommand: Bool { get }
    /// Commands sent and not yet answered.
    var inFlight: Int { get }
    /// Called on the loop thread when ``health`` changes, with the last error (for logs).
    var onHealthChange: ((StoreHealth, String) -> Void)? { get set }
    /// Connects (and reconnects by itself after a loss).
    func start()
    /// Closes for good; commands still queued fail.
    func close()
}
