import FlashSaleLoop

/// The client address of a request relayed by trusted proxies: the right-most address
/// of the forwarding chain that is not a trusted proxy (docs/scaling.md, "Behind a
/// balancer").
///
/// The chain is `X-Forwarded-For` (every field, in order, comma-separated) when the
/// request has one, else `Forwarded` (RFC 7239: the `for=` of each element), then the
/// peer. Walking it from the right, trusted addresses are skipped; the first untrusted
/// one is the client. An entry that is not an IP address (`unknown`, an obfuscated
/// `_name`, garbage, an element without `for=`) ends the walk: the last trusted hop
/// stands for the client. Ports are stripped. Only called when the peer is trusted.
enum ForwardedFor {
    /// The client address of `request`, whose (effective) peer `peer` is trusted.
    static func resolve(_ request: HTTPRequest, peer: IPAddress, trusted: TrustedProxies) -> IPAddress {
        var useForwarded = true
        var any = false
        for index in 0..<request.headerCount {
            let name = request.header(at: index).name
            if name.equalsIgnoringCase("X-Forwarded-For") {
                useForwarded = false
                any = true
                break
            }
            if name.equalsIgnoringCase("Forwarded") { any = true }
        }
        guard any else { return peer }
        var candidate = peer
        var index = request.headerCount - 1
        while index >= 0 {
            let field = request.header(at: index)
            index -= 1
            let matches = useForwarded ? field.name.equalsIgnoringCase("Forwarded") : field.name.equalsIgnoringCase("X-Forwarded-For")
            guard matches else { continue }
            let value = field.value.bytes
            var end = value.count
            while end >= 0 {
                let start = elementStart(value, before: end)
                let element = UnsafeRawBufferPointer(rebasing: value[start..<end])
                end = start - 1
                let parsed = useForwarded ? forwardedFor(element) : node(trimmed(element))
                guard let address = parsed else { return candidate }
                guard trusted.contains(address) else { return address }
                candidate = address
            }
        }
        return candidate
    }

    /// Where the comma-separated element ending at `end` starts (commas inside quotes do not count).
    private static func elementStart(_ value: UnsafeRawBufferPointer, before end: Int) -> Int {
        var i = end - 1
        var quoted = false
        while i >= 0 {
            let byte = value[i]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if byte == UInt8(ascii: ","), !quoted { return i + 1 }
            i -= 1
        }
        return 0
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// The `for=` of one `Forwarded` element (`for=192.0.2.60;proto=http`), unquoted.
    private static func forwardedFor(_ element: UnsafeRawBufferPointer) -> IPAddress? {
        var start = 0
        while start <= element.count {
            var end = start
            var quoted = false
            while end < element.count {
                if element[end] == UInt8(ascii: "\"") { quoted.toggle() }
                if element[end] == UInt8(ascii: ";"), !quoted { break }
                end += 1
            }
            let pair = trimmed(UnsafeRawBufferPointer(rebasing: element[start..<end]))
            if pair.count > 4, HTTPBytes(pair.baseAddress!, 4).equalsIgnoringCase("for=") {
                var value = UnsafeRawBufferPointer(rebasing: pair[4...])
                if value.count >= 2, value[0] == UInt8(ascii: "\""), value[value.count - 1] == UInt8(ascii: "\"") {
                    value = UnsafeRawBufferPointer(rebasing: value[1..<(value.count - 1)])
                }
                return node(value)
            }
            start = end + 1
        }
        return nil
    }

    /// An address with an optional port: `192.0.2.1`, `192.0.2.1:80`, `2001:db8::1`,
    /// `[2001:db8::1]`, `[2001:db8::1]:443`. Nil for anything else.
    static func node(_ text: UnsafeRawBufferPointer) -> IPAddress? {
        guard !text.isEmpty else { return nil }
        if text[0] == UInt8(ascii: "[") {
            guard let close = text.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return nil }
            let rest = UnsafeRawBufferPointer(rebasing: text[(close + 1)...])
            guard rest.isEmpty || rest[0] == UInt8(ascii: ":") && isPort(UnsafeRawBufferPointer(rebasing: rest[1...])) else { return nil }
            let inside = UnsafeRawBufferPointer(rebasing: text[1..<close])
            guard inside.contains(UInt8(ascii: ":")) else { return nil }
            return IPAddress(text: inside)
        }
        var colons = 0
        var lastColon = 0
        for (i, byte) in text.enumerated() where byte == UInt8(ascii: ":") {
            colons += 1
            lastColon = i
        }
        if colons == 1 {
            guard isPort(UnsafeRawBufferPointer(rebasing: text[(lastColon + 1)...])) else { return nil }
            let host = UnsafeRawBufferPointer(rebasing: text[..<lastColon])
            guard let address = IPAddress(text: host), address.isIPv4 else { return nil }
            return address
        }
        return IPAddress(text: text)
    }

    /// 1–5 decimal digits, at most 65535.
    static func isPort(_ text: UnsafeRawBufferPointer) -> Bool {
        guard (1...5).contains(text.count) else { return false }
        var value = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value <= 65535
    }
}
