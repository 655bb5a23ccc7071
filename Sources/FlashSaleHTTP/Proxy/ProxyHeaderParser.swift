import FlashSaleLoop

/// What a PROXY protocol header said about its connection.
public enum ProxyHeader: Equatable, Sendable {
    /// The balancer relays a client's TCP connection from `source` (v1 `TCP4`/`TCP6`,
    /// v2 `PROXY` over `AF_INET`/`AF_INET6`).
    case relayed(source: IPAddress)
    /// The balancer's own connection (v2 `LOCAL`, e.g. its health checks) or a family
    /// without an IP address (v1 `UNKNOWN`, v2 `AF_UNSPEC`/`AF_UNIX`): the peer stands.
    case local
}

/// Why a connection's PROXY protocol header was refused (the connection is closed).
public enum ProxyHeaderFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first bytes are neither `PROXY ` (v1) nor the v2 signature.
    case missing
    /// A v1 line or a v2 block that breaks the format.
    case malformed
    /// A v1 line over 107 bytes, or a v2 block over ``ProxyHeaderParser/maxV2PayloadBytes``.
    case tooLong

    public var description: String {
        switch self {
        case .missing: return "no PROXY protocol header"
        case .malformed: return "malformed PROXY protocol header"
        case .tooLong: return "PROXY protocol header too long"
        }
    }
}

/// Reads the PROXY protocol header (HAProxy's proxy-protocol.txt, v1 and v2) at the
/// start of a connection, incrementally: bytes may arrive split anywhere, and the
/// verdict is the same as for the whole header at once. Bounded: a v1 line holds at
/// most 107 bytes; a v2 block a 16-byte header and at most ``maxV2PayloadBytes`` more,
/// of which only the addresses (≤ 36 bytes) are kept and the TLVs skipped.
///
/// ```swift
/// let parser = ProxyHeaderParser()
/// let (consumed, result) = parser.parse(bytes)   // then the HTTP parser gets the rest
/// ```
public final class ProxyHeaderParser {
    /// The result of feeding bytes.
    public enum Result: Equatable {
        /// The header is not complete yet: every byte given was consumed.
        case needMore
        /// The header is complete; the bytes after it belong to the protocol it carries.
        case done(ProxyHeader)
        /// Not a valid header: close the connection.
        case failed(ProxyHeaderFailure)
    }

    /// The longest v1 line, CRLF included (proxy-protocol.txt §2.1).
    public static let maxV1Bytes = 107
    /// The largest v2 payload (addresses and TLVs) accepted after the 16-byte header.
    public static let maxV2PayloadBytes = 2048

    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    static let v1Prefix: [UInt8] = Array("PROXY ".utf8)

    private enum Phase { case start, v1, v2Header, v2Payload, finished }

    private var phase = Phase.start
    /// The v1 line, or the v2 header followed by its first address bytes.
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: ProxyHeaderParser.maxV1Bytes)
    private var count = 0
    /// v2: payload bytes still to read, and how many of them are kept.
    private var payloadLeft = 0
    private var keepLeft = 0

    /// A parser waiting for the first byte of a connection.
    public init() {}

    deinit { buffer.deallocate() }

    /// Feeds `length` bytes at `bytes`; returns how many belong to the header and the
    /// verdict so far. After `.done` or `.failed` it consumes nothing more.
    public func parse(_ bytes: UnsafeRawPointer, _ length: Int) -> (consumed: Int, result: Result) {
        var i = 0
        while i < length {
            let byte = bytes.load(fromByteOffset: i, as: UInt8.self)
            switch phase {
            case .start:
                if byte == Self.v1Prefix[0] {
                    phase = .v1
                } else if byte == Self.v2Signature[0] {
                    phase = .v2Header
                } else {
                    return finish(i, .failed(.missing))
                }
                buffer[0] = byte
                count = 1
                i += 1
            case .v1:
                if count < Self.v1Prefix.count {
                    guard byte == Self.v1Prefix[count] else { return finish(i, .failed(.missing)) }
                } else if byte == UInt8(ascii: "\n") {
                    guard buffer[count - 1] == UInt8(ascii: "\r") else { return finish(i, .failed(.malformed)) }
                    return finish(i + 1, parseV1(lineLength: count - 1))
                } else if buffer[count - 1] == UInt8(ascii: "\r") || !(byte == UInt8(ascii: "\r") || (byte >= 0x20 && byte < 0x7F)) {
                    return finish(i, .failed(.malformed))
                }
                // Room for what must follow: CR then LF (a CR: the LF), within 107 bytes.
                guard count < Self.maxV1Bytes - (byte == UInt8(ascii: "\r") ? 1 : 2) else {
                    return finish(i, .failed(.tooLong))
                }
                buffer[count] = byte
                count += 1
                i += 1
            case .v2Header:
                if count < Self.v2Signature.count {
                    guard byte == Self.v2Signature[count] else { return finish(i, .failed(.missing)) }
                }
                buffer[count] = byte
                count += 1
                i += 1
                if count == 16 {
                    if let failure = startV2Payload() { return finish(i, .failed(failure)) }
                    if payloadLeft == 0 { return finish(i, parseV2()) }
                }
            case .v2Payload:
                let take = min(payloadLeft, length - i)
                let kept = min(keepLeft, take)
                if kept > 0 {
                    (buffer + count).update(from: (bytes + i).assumingMemoryBound(to: UInt8.self), count: kept)
                    count += kept
                    keepLeft -= kept
                }
                payloadLeft -= take
                i += take
                if payloadLeft == 0 { return finish(i, parseV2()) }
            case .finished:
                return (0, .failed(.malformed))
            }
        }
        return (length, .needMore)
    }

    private func finish(_ consumed: Int, _ result: Result) -> (consumed: Int, result: Result) {
        phase = .finished
        return (consumed, result)
    }

    // MARK: v1: "PROXY TCP4 src dst sport dport\r\n", "PROXY UNKNOWN …\r\n"

    private func parseV1(lineLength: Int) -> Result {
        let line = UnsafeRawBufferPointer(start: buffer, count: lineLength)
        var fields: [Range<Int>] = []
        fields.reserveCapacity(6)
        var start = 0
        for index in 0...lineLength {
            if index == lineLength || line[index] == UInt8(ascii: " ") {
                fields.append(start..<index)
                start = index + 1
                if fields.count > 6 { break }
            }
        }
        guard fields.count >= 2 else { return .failed(.malformed) }
        let proto = UnsafeRawBufferPointer(rebasing: line[fields[1]])
        if proto.elementsEqual("UNKNOWN".utf8) { return .done(.local) }
        let isV4 = proto.elementsEqual("TCP4".utf8)
        guard isV4 || proto.elementsEqual("TCP6".utf8) else { return .failed(.malformed) }
        guard fields.count == 6, fields.allSatisfy({ !$0.isEmpty }) else { return .failed(.malformed) }
        var addresses: [IPAddress] = []
        for field in fields[2...3] {
            let text = UnsafeRawBufferPointer(rebasing: line[field])
            guard let address = IPAddress(text: text), address.isIPv4 == isV4, text.contains(UInt8(ascii: ":")) != isV4 else {
                return .failed(.malformed)
            }
            addresses.append(address)
        }
        for field in fields[4...5] {
            guard ForwardedFor.isPort(UnsafeRawBufferPointer(rebasing: line[field])) else { return .failed(.malformed) }
        }
        return .done(.relayed(source: addresses[0]))
    }

    // MARK: v2: signature, ver_cmd, fam, len (big-endian), addresses, TLVs

    private var command: UInt8 { buffer[12] & 0x0F }
    private var family: UInt8 { buffer[13] >> 4 }
    private var transport: UInt8 { buffer[13] & 0x0F }

    /// Checks the 16-byte header; sets how many payload bytes follow and are kept.
    private func startV2Payload() -> ProxyHeaderFailure? {
        guard buffer[12] >> 4 == 2, command <= 1, family <= 3, transport <= 2 else { return .malformed }
        let length = Int(buffer[14]) << 8 | Int(buffer[15])
        guard length <= Self.maxV2PayloadBytes else { return .tooLong }
        if command == 1 {
            // PROXY over an IP family carries its addresses; a stream relayed as datagrams is not ours.
            let needed = family == 1 ? 12 : family == 2 ? 36 : family == 3 ? 216 : 0
            guard length >= needed, family == 0 || family == 3 || transport == 1 else { return .malformed }
            keepLeft = family == 1 || family == 2 ? needed : 0
        } else {
            keepLeft = 0
        }
        payloadLeft = length
        phase = .v2Payload
        return nil
    }

    private func parseV2() -> Result {
        guard command == 1, family == 1 || family == 2 else { return .done(.local) }
        let source = UnsafeRawBufferPointer(start: buffer + 16, count: family == 1 ? 4 : 16)
        guard let address = IPAddress(networkBytes: source) else { return .failed(.malformed) }
        return .done(.relayed(source: address))
    }
}
