/// Where a Redis server is: parsed from `redis://[[user]:password@]host[:port][/db]`.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// Host name or IP address (IPv6 in brackets in the URL, without them here).
    public var host: String
    /// TCP port (default 6379).
    public var port: Int
    /// Database index sent with `SELECT` after connecting (0: none sent).
    public var database: Int
    /// ACL user for `AUTH` (nil: the default user).
    public var user: String?
    /// Password for `AUTH` (nil: no `AUTH`).
    public var password: String?

    /// An endpoint from its parts.
    public init(host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, user: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
    }

    /// `url` (or each URL of a seed list) with the user and password of its authority
    /// replaced by `***`.
    public static func redacted(_ url: String) -> String {
        let urls = seedURLs(url)
        if urls.count > 1 { return urls.map(redactedOne).joined(separator: ",") }
        return redactedOne(url)
    }

    private static func redactedOne(_ url: String) -> String {
        let scheme = "redis://"
        guard url.hasPrefix(scheme) else { return url }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return scheme + "***" + String(rest[at...])
    }

    /// Parses a `redis://` URL; throws ``RedisError/invalidURL(_:)`` with the reason.
    public init(url: String) throws(RedisError) {
        // Errors name the URL without its credentials: they end up in logs and on stderr.
        let shown = Self.redacted(url)
        let scheme = "redis://"
        guard url.hasPrefix(scheme) else {
            throw .invalidURL("\(shown): must start with redis://")
        }
        var rest = Substring(url.dropFirst(scheme.count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else {
                    throw .invalidURL("\(shown): database must be a non-negative integer")
                }
                database = db
            }
        }
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = info.firstIndex(of: ":") {
                let name = info[..<colon]
                user = name.isEmpty ? nil : String(name)
                password = String(info[info.index(after: colon)...])
            } else {
                password = String(info)
            }
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw .invalidURL("\(shown): unterminated [IPv6] host")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw .invalidURL("\(shown): unexpected text after the host")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .invalidURL("\(shown): missing host") }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .invalidURL("\(shown): port must be 1-65535")
            }
            port = value
        }
        self.init(host: String(host), port: port, database: database, user: user, password: password)
    }

    /// `redis://host:port[/db]` (never prints the password).
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let auth = password == nil ? "" : "\(user ?? ""):***@"
        return "redis://\(auth)\(hostPart):\(port)" + (database == 0 ? "" : "/\(database)")
    }
}
