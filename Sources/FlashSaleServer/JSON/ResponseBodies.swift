import FlashSaleCore
import FlashSaleWorker

/// An order as `GET /v1/orders/{order}`, cancel, pay and fulfil answer it.
public struct OrderView: Sendable, Equatable {
    public var orderID: String
    public var sale: String
    public var sku: String
    public var qty: Int
    public var user: String
    /// `reserved`, `paid`, `fulfilled`, `cancelled` or `expired`.
    public var status: String
    public var createdAtMillis: Int64
    public var expiresAtMillis: Int64
    /// When it was paid, cancelled or expired (absent while reserved).
    public var closedAtMillis: Int64?
    /// How a fulfilled order was shipped (nil unless fulfilled).
    public var shipment: Shipment?
    /// Price × qty in minor units of `currency` (0 and `XXX` for a sale without prices).
    public var amount: Int64 = 0
    /// ISO 4217 code of `amount` (`XXX` for a sale without prices).
    public var currency: String = CurrencyCode.none

    /// The shipment of a fulfilled order.
    public struct Shipment: Sendable, Equatable {
        /// Who ships it.
        public var carrier: String
        /// The carrier's tracking number.
        public var tracking: String
        /// When it was fulfilled, Unix ms.
        public var fulfilledAtMillis: Int64

        /// Creates a shipment.
        public init(carrier: String, tracking: String, fulfilledAtMillis: Int64) {
            self.carrier = carrier
            self.tracking = tracking
            self.fulfilledAtMillis = fulfilledAtMillis
        }
    }

    public init(
        orderID: String, sale: String, sku: String, qty: Int, user: String, status: String,
        createdAtMillis: Int64, expiresAtMillis: Int64, closedAtMillis: Int64? = nil
    ) {
        self.orderID = orderID
        self.sale = sale
        self.sku = sku
        self.qty = qty
        self.user = user
        self.status = status
        self.createdAtMillis = createdAtMillis
        self.expiresAtMillis = expiresAtMillis
        self.closedAtMillis = closedAtMillis
    }

    /// `{order_id, sale, sku, qty, amount, currency, user, status, created_at, expires_at[,
    /// closed_at][, carrier, tracking, fulfilled_at]}`.
    public func write(into json: inout JSONBuffer) {
        json.object { object in
            object.field("order_id", string: orderID)
            object.field("sale", string: sale)
            object.field("sku", string: sku)
            object.field("qty", integer: qty)
            object.field("amount", integer: amount)
            object.field("currency", string: currency)
            object.field("user", string: user)
            object.field("status", string: status)
            object.field("created_at", timestampMillis: createdAtMillis)
            object.field("expires_at", timestampMillis: expiresAtMillis)
            if let closedAtMillis { object.field("closed_at", timestampMillis: closedAtMillis) }
            if let shipment {
                object.field("carrier", string: shipment.carrier)
                object.field("tracking", string: shipment.tracking)
                object.field("fulfilled_at", timestampMillis: shipment.fulfilledAtMillis)
            }
        }
    }
}

/// The `201` body of a purchase: `{order_id, status:"reserved", sale, sku, qty, amount,
/// currency, expires_at}` (the API writes the same bytes straight into the output buffer).
public enum PurchaseCreatedBody {
    /// Writes the body into `json` (hot path: no allocation beyond the buffer).
    @inline(__always)
    public static func write(
        orderID: String, sale: String, sku: String, qty: Int, amount: Int64, currency: String, expiresAtMillis: Int64,
        into json: inout JSONBuffer
    ) {
        json.object { object in
            object.field("order_id", string: orderID)
            object.field("status", string: "reserved")
            object.field("sale", string: sale)
            object.field("sku", string: sku)
            object.field("qty", integer: qty)
            object.field("amount", integer: amount)
            object.field("currency", string: currency)
            object.field("expires_at", timestampMillis: expiresAtMillis)
        }
    }
}

/// A sale as `GET /v1/sales/{sale}` answers it: the persistence layer's read of Redis.
extension SaleSnapshot {
    /// `{sale, state, starts_at, ends_at, per_user_limit, reservation_ttl_s, currency,
    /// items:[{sku, stock, available[, price]}]}` (`price` only when the sale has prices).
    public func write(into json: inout JSONBuffer) {
        json.object { object in
            object.field("sale", string: sale)
            object.field("state", string: state)
            object.saleTerms(
                startsAtMillis: startsAtMillis, endsAtMillis: endsAtMillis, perUserLimit: perUserLimit,
                reservationTTLSeconds: reservationTTLSeconds, currency: currency, items: items
            ) { entry, item in
                entry.field("sku", string: item.sku)
                entry.field("stock", integer: item.stock)
                entry.field("available", integer: item.available)
                if item.price > 0 { entry.field("price", integer: item.price) }
            }
        }
    }
}
