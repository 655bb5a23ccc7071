/// Collects what the oracle needs from the answers: every acknowledged
/// order, conflicting answers, sold-out and unknown counts. Loop thread only.
struct EvidenceCollector {
    private var acked: [DriverEvidence.AckedOrder] = []
    /// (user << 8 | ordinal) → index in `acked`.
    private var byKey: [Int: Int] = [:]
    /// user → index in `acked` of the user's first order.
    private var firstOrder: [Int32]
    private var conflicts: [String] = []
    private let quantity: Int
    private let sku: String
    private let writer: RequestWriter
    private let keyPrefix: String
    var soldOutAnswers = 0
    var unitsAsked: Int
    var unknownPurchases = 0

    init(users: Int, quantity: Int, sku: String, writer: RequestWriter, keyPrefix: String) {
        firstOrder = Array(repeating: -1, count: users)
        self.quantity = quantity
        self.sku = sku
        self.writer = writer
        self.keyPrefix = keyPrefix
        unitsAsked = users * quantity
    }

    /// Records a 201; returns whether it is the first answer naming an order for this (user, key).
    mutating func noteCreated(user: Int, ordinal: Int, orderID: String) -> Bool {
        let slot = user << 8 | ordinal
        if let index = byKey[slot] {
            if acked[index].orderID != orderID {
                conflicts.append("\(acked[index].user) \(acked[index].key): \(acked[index].orderID), \(orderID)")
            }
            return false
        }
        byKey[slot] = acked.count
        if user < firstOrder.count && firstOrder[user] < 0 { firstOrder[user] = Int32(acked.count) }
        acked.append(DriverEvidence.AckedOrder(
            orderID: orderID, user: writer.userID(user), key: writer.key(user: user, ordinal: ordinal, prefix: keyPrefix),
            sku: sku, qty: quantity))
        return true
    }

    /// Records an acknowledged pay or cancel of the user's first order.
    mutating func noteStatus(user: Int, status: String) {
        guard user < firstOrder.count, firstOrder[user] >= 0 else { return }
        acked[Int(firstOrder[user])].lastAckedStatus = status
    }

    /// The user's first acknowledged order id.
    func orderID(ofUser user: Int) -> String? {
        guard user < firstOrder.count, firstOrder[user] >= 0 else { return nil }
        return acked[Int(firstOrder[user])].orderID
    }

    func evidence() -> DriverEvidence {
        DriverEvidence(acked: acked, conflictingAnswers: conflicts, soldOutAnswers: soldOutAnswers,
                       unitsAsked: unitsAsked, unknownPurchases: unknownPurchases)
    }
}
