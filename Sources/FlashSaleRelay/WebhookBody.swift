import FlashSaleServer

/// The JSON body of one delivery (`docs/integration.md`, "The body"):
///
/// ```json
/// {"type":"paid","timestamp":"2025-12-01T12:00:00.123Z",
///  "data":{"sale":"launch","order":"01J…","sku":"tee","user":"u1","qty":1,"at":1764590400123}}
/// ```
///
/// `timestamp` is when the change happened; `data` holds the sale, the order (absent on
/// an event of no order) and every other field of the event (integer fields as numbers).
enum WebhookBody {
    static func render(_ event: RelayEvent, into json: inout JSONBuffer) {
        json.reset()
        json.object { body in
            body.field("type", string: event.type)
            body.field("timestamp", timestampMillis: event.occurredAtMillis)
            body.key("data")
            body.object { data in
                data.field("sale", string: event.sale)
                if let order = event.order { data.field("order", string: order) }
                for (name, value) in event.fields {
                    data.key(escaping: name)
                    if RelayEvent.integerFields.contains(name), let number = Int64(value) {
                        data.integer(number)
                    } else {
                        data.string(value)
                    }
                }
            }
        }
    }
}
