/// A plain `http://host[:port][/path]` URL, the only kind the project's HTTP clients
/// speak (no TLS, no DNS: the host is an IP address or `localhost`, as
/// `TCPConnection.connect` takes it).
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    /// IPv4/IPv6 address or `localhost` (IPv6 without brackets).
    public var host: String
    /// TCP port (default 80).
    public var port: Int
    /// The request target: the path and query, `/` when the URL has none.
    public var path: String

    /// Why a URL was refused.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        /// The reason, naming the URL.
        public var description: String
    }

    /// Parses `url`; throws with the reason (https, a host name, a bad port…).
    public init(_ url: String) throws(Invalid) {
        guard url.hasPrefix("http://") else {
            throw Invalid(description: url.hasPrefix("https://")
                ? "only http:// URLs are supported (terminate TLS in a local proxy), got \(url)"
                : "expected an http:// URL, got \(url)")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let target = rest.dropFirst(authority.count)
        var hostPart = Substring(authority)
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw Invalid(description: "unterminated [IPv6] host in \(url)") }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw Invalid(description: "unexpected text after the host in \(url)")
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw Invalid(description: "missing host in \(url)") }
        guard !hostPart.contains("@") else { throw Invalid(description: "user information is not supported in \(url)") }
        let numeric = hostPart == "localhost" || hostPart.contains(":")
            || hostPart.split(separator: ".", omittingEmptySubsequences: false).count == 4
                && hostPart.allSatisfy { $0.isNumber || $0 == "." }
        guard numeric else {
            throw Invalid(description: "the host must be an IP address or localhost (no DNS lookups), got \(hostPart) in \(url)")
        }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else { throw Invalid(description: "bad port in \(url)") }
            port = value
        }
        host = String(hostPart)
        self.port = port
        path = target.isEmpty ? "/" : (target.hasPrefix("?") ? "/" + target : String(target))
        guard path.allSatisfy({ $0.isASCII && $0 != " " && !$0.isNewline }) else {
            throw Invalid(description: "the path must be ASCII without spaces in \(url)")
        }
    }

    /// `http://host:port/path`.
    public var description: String {
        "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)" + path
    }
}
