import Synchronization

/// The sales known to a process, shared by all its workers (thread-safe).
///
/// Each sale gets a stable slot, and each SKU a stable slot within its sale; together they
/// make a `SKUHandle`. Workers read a snapshot and refresh it when `version` changes, so
/// installing a sale needs no message to the workers.
public final class SaleDirectory: Sendable {
    struct Entry: Sendable {
        var slot: UInt32
        var config: SaleConfig
        /// SKU names by SKU slot (append-only); `stockBySlot[i] < 0` marks a SKU removed.
        var skuNames: [String]
        var stockBySlot: [Int]
        /// Unit price by SKU slot (minor units; 0 without prices).
        var priceBySlot: [Int64]
    }

    private struct State {
        var slotByName: [String: UInt32] = [:]
        var entries: [Entry] = []
    }

    private let state = Mutex(State())
    private let versionCounter = Atomic<UInt64>(0)

    /// Creates an empty directory.
    public init() {}

    /// Changes when a sale is installed or changed; workers compare it on each call.
    public var version: UInt64 { versionCounter.load(ordering: .acquiring) }

    /// Installs or replaces a sale (the admin `PUT`). Whether stock may change after the
    /// start (`409 sale_live`) is decided against Redis by the caller, not here.
    public func install(_ config: SaleConfig) throws(SaleConfigError) -> SaleInstallResult {
        if let problem = config.validate() { throw problem }
        let result: SaleInstallResult = state.withLock { state in
            if let slot = state.slotByName[config.name] {
                var entry = state.entries[Int(slot)]
                if entry.config == config { return .unchanged }
                entry.config = config
                for index in entry.stockBySlot.indices { entry.stockBySlot[index] = -1 }
                for item in config.items {
                    if let skuSlot = entry.skuNames.firstIndex(of: item.sku) {
                        entry.stockBySlot[skuSlot] = item.stock
                        entry.priceBySlot[skuSlot] = item.price
                    } else {
                        entry.skuNames.append(item.sku)
                        entry.stockBySlot.append(item.stock)
                        entry.priceBySlot.append(item.price)
                    }
                }
                state.entries[Int(slot)] = entry
                versionCounter.add(1, ordering: .releasing)
                return .updated
            }
            let slot = UInt32(state.entries.count)
            state.slotByName[config.name] = slot
            state.entries.append(Entry(
                slot: slot, config: config, skuNames: config.items.map(\.sku),
                stockBySlot: config.items.map(\.stock), priceBySlot: config.items.map(\.price)))
            versionCounter.add(1, ordering: .releasing)
            return .created
        }
        return result
    }

    /// The configuration of a sale, if installed.
    public func config(sale: String) -> SaleConfig? {
        state.withLock { state in state.slotByName[sale].map { state.entries[Int($0)].config } }
    }

    /// Names of all installed sales.
    public var saleNames: [String] {
        state.withLock { state in state.entries.map(\.config.name) }
    }

    /// Every (sale, SKU) pair of the installed sales, in installation order (for
    /// housekeeping that walks all slices; not for the purchase path).
    public var allSKUs: [(sale: String, sku: String)] {
        state.withLock { state in
            state.entries.flatMap { entry in entry.config.items.map { (entry.config.name, $0.sku) } }
        }
    }

    /// The handle of a SKU, if the sale and SKU exist.
    public func skuHandle(sale: String, sku: String) -> SKUHandle? {
        state.withLock { state in
            guard let slot = state.slotByName[sale] else { return nil }
            let entry = state.entries[Int(slot)]
            guard let skuSlot = entry.skuNames.firstIndex(of: sku), entry.stockBySlot[skuSlot] >= 0 else {
                return nil
            }
            return SKUHandle(saleSlot: slot, skuSlot: UInt32(skuSlot))
        }
    }

    /// The sale and SKU names of a handle.
    public func names(of handle: SKUHandle) -> (sale: String, sku: String)? {
        state.withLock { state in
            guard Int(handle.saleSlot) < state.entries.count else { return nil }
            let entry = state.entries[Int(handle.saleSlot)]
            guard Int(handle.skuSlot) < entry.skuNames.count else { return nil }
            return (entry.config.name, entry.skuNames[Int(handle.skuSlot)])
        }
    }

    /// A consistent copy of all entries and the version it reflects.
    func snapshot() -> (version: UInt64, entries: [Entry]) {
        state.withLock { state in (versionCounter.load(ordering: .acquiring), state.entries) }
    }
}

/// What `SaleDirectory.install` did.
public enum SaleInstallResult: Sendable, Hashable {
    /// A new sale (201).
    case created
    /// The same configuration was already installed (200).
    case unchanged
    /// The configuration changed (200).
    case updated
}
