import FlashSaleLoop

/// An IPv4 or IPv6 network in CIDR notation: `10.0.0.0/8`, `2001:db8::/32`, or a bare
/// address (`/32` or `/128`). An IPv4 network matches IPv4 addresses only (and their
/// IPv4-mapped IPv6 form, which is the same ``IPAddress``).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network's first address (host bits cleared).
    public let address: IPAddress
    /// The prefix length over 128 bits (an IPv4 /8 is 104 here).
    private let prefix128: Int

    /// Parses `address[/prefix]`; nil when the address or the prefix (0–32 for IPv4,
    /// 0–128 for IPv6) is not valid. Host bits set under the prefix are cleared.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let base = IPAddress(String(parts[0])) else { return nil }
        let isV4 = base.isIPv4 && !parts[0].contains(":")
        let maximum = isV4 ? 32 : 128
        var prefix = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(parts[1]), value <= maximum
            else { return nil }
            prefix = value
        }
        prefix128 = isV4 ? prefix + 96 : prefix
        address = IPNetwork.masked(base, prefix128)
    }

    /// Whether `candidate` lies inside.
    public func contains(_ candidate: IPAddress) -> Bool {
        IPNetwork.masked(candidate, prefix128) == address
    }

    /// "10.0.0.0/8", "2001:db8::/32".
    public var description: String {
        address.isIPv4 && prefix128 >= 96 ? "\(address)/\(prefix128 - 96)" : "\(address)/\(prefix128)"
    }

    private static func masked(_ a: IPAddress, _ prefix: Int) -> IPAddress {
        let highMask: UInt64 = prefix >= 64 ? ~0 : (prefix == 0 ? 0 : ~0 << (64 - UInt64(prefix)))
        let lowMask: UInt64 = prefix <= 64 ? 0 : (prefix >= 128 ? ~0 : ~0 << (128 - UInt64(prefix)))
        return IPAddress(high: a.high & highMask, low: a.low & lowMask)
    }
}

/// The networks whose peers may speak for their clients (`--trusted-proxy`): their
/// PROXY protocol header, `X-Forwarded-For` and `Forwarded` are believed.
public struct TrustedProxies: Sendable, Equatable {
    /// The networks, in the order given.
    public let networks: [IPNetwork]

    /// Trusts the given networks (none: nobody, the default).
    public init(_ networks: [IPNetwork] = []) { self.networks = networks }

    /// Whether no network is trusted.
    public var isEmpty: Bool { networks.isEmpty }

    /// Whether `address` lies in one of the networks.
    public func contains(_ address: IPAddress) -> Bool {
        for network in networks where network.contains(address) { return true }
        return false
    }
}
