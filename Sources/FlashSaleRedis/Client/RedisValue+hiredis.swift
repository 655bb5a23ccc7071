import CHiredis

extension RedisValue {
    /// Converts a hiredis reply tree into Swift values (copies every string).
    init(reply: UnsafePointer<redisReply>) {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            self = .bulk(RedisValue.text(r.str, r.len))
        case REDIS_REPLY_STATUS:
            self = .status(RedisValue.text(r.str, r.len))
        case REDIS_REPLY_ERROR:
            self = .error(RedisValue.text(r.str, r.len))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            items.reserveCapacity(r.elements)
            if let element = r.element {
                for index in 0..<r.elements {
                    if let child = element[index] {
                        items.append(RedisValue(reply: child))
                    } else {
                        items.append(.null)
                    }
                }
            }
            self = .array(items)
        default:
            self = .null
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let pointer, length > 0 else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
