/// A command encoded in RESP (an array of bulk strings), ready for the wire.
///
/// Building the bytes in Swift and handing them to `redisAsyncFormattedCommand`
/// costs one copy and keeps C pointers out of the callers' way.
public struct RESPCommand: Sendable {
    /// The encoded bytes.
    public private(set) var bytes: [UInt8]

    /// Encodes `arguments` (the command name first).
    public init(_ arguments: [String]) {
        bytes = []
        bytes.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.utf8.count + 16 })
        RESPCommand.appendHeader(count: arguments.count, to: &bytes)
        for argument in arguments { RESPCommand.appendBulk(argument, to: &bytes) }
    }

    /// Encodes `head`, then `keys`, then `args` without building one array.
    public init(head: [String], keys: [String], args: [String]) {
        bytes = []
        let all = head.count + keys.count + args.count
        var size = 16
        for part in [head, keys, args] { for item in part { size += item.utf8.count + 16 } }
        bytes.reserveCapacity(size)
        RESPCommand.appendHeader(count: all, to: &bytes)
        for item in head { RESPCommand.appendBulk(item, to: &bytes) }
        for item in keys { RESPCommand.appendBulk(item, to: &bytes) }
        for item in args { RESPCommand.appendBulk(item, to: &bytes) }
    }

    /// `head` (e.g. `EVALSHA <sha> <numkeys>`) followed by `arguments`, already encoded.
    public init(head: [String], arguments: RESPBulkWriter) {
        bytes = []
        bytes.reserveCapacity(16 + head.reduce(0) { $0 + $1.utf8.count + 16 } + arguments.bytes.count)
        RESPCommand.appendHeader(count: head.count + arguments.count, to: &bytes)
        for item in head { RESPCommand.appendBulk(item, to: &bytes) }
        bytes.append(contentsOf: arguments.bytes)
    }

    /// Wraps bytes that already hold one or more RESP-encoded commands.
    ///
    /// Only for exactly one command: hiredis pairs one callback with the bytes.
    public init(preformatted bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func appendHeader(count: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(count, to: &out)
        out.append(13); out.append(10)
    }

    static func appendBulk(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            out.append(UInt8(ascii: "$"))
            appendDecimal(utf8.count, to: &out)
            out.append(13); out.append(10)
            out.append(contentsOf: utf8)
            out.append(13); out.append(10)
        }
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while n > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            }
            while count > 0 {
                count -= 1
                out.append(buffer[count])
            }
        }
    }
}

/// RESP bulk strings written straight from their data into one growing buffer (a
/// command's arguments without intermediate Strings); ``RedisClient`` puts the command
/// head in front. Also a ``FlushArgumentSink``.
public struct RESPBulkWriter: FlushArgumentSink {
    /// The encoded bulk strings.
    public private(set) var bytes: [UInt8] = []
    /// How many.
    public private(set) var count = 0

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func argument(prefix: String, _ raw: UnsafeRawBufferPointer) {
        var prefix = prefix
        prefix.withUTF8 { head in
            header(length: head.count + raw.count)
            bytes.append(contentsOf: head)
        }
        bytes.append(contentsOf: raw)
        bytes.append(13); bytes.append(10)
    }

    public mutating func argument(_ text: String) {
        count += 1
        RESPCommand.appendBulk(text, to: &bytes)
    }

    public mutating func argument(decimal value: Int64) {
        // Digits on the stack: no String per number.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var n = value.magnitude
            var used = 0
            repeat {
                digits[19 - used] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                used += 1
            } while n > 0
            let negative = value < 0
            header(length: used + (negative ? 1 : 0))
            if negative { bytes.append(UInt8(ascii: "-")) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - used)...]))
        }
        bytes.append(13); bytes.append(10)
    }

    private mutating func header(length: Int) {
        count += 1
        bytes.append(UInt8(ascii: "$"))
        RESPCommand.appendDecimal(length, to: &bytes)
        bytes.append(13); bytes.append(10)
    }
}
