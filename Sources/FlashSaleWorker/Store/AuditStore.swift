/// Where admin actions are recorded (the `fs:audit` stream in Redis).
public protocol AuditStore: AnyObject {
    /// Appends one admin action (`fields`: at, actor, address, node, action, sale, result,
    /// body); `completion` gets nil once it is recorded, or why not.
    func appendAudit(_ fields: [(String, String)], completion: @escaping (StoreError?) -> Void)
}
