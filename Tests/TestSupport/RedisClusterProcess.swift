#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A private Redis Cluster for a test suite: 3 masters and 1 replica each, six
/// `redis-server --cluster-enabled yes --appendonly yes --appendfsync always` on free
/// loopback ports, joined by `redis-cli --cluster create … --cluster-replicas 1`.
/// Start one per suite (a few seconds) and share it between the suite's tests.
public final class RedisClusterProcess: @unchecked Sendable {
    /// The six servers (masters and replicas, in creation order).
    public let servers: [RedisServerProcess]

    /// Starts the six servers, creates the cluster and waits until every node reports
    /// `cluster_state:ok` and agrees on the slot map.
    public init() throws {
        var servers: [RedisServerProcess] = []
        for _ in 0..<6 {
            servers.append(try RedisServerProcess(
                appendOnly: true, appendFsync: "always",
                extraArgs: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                            "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "yes"],
                port: Self.portWithFreeBus()))
        }
        self.servers = servers
        let create = try ChildProcess(
            executable: Self.redisCLI,
            arguments: ["--cluster", "create"] + servers.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "1", "--cluster-yes"])
        guard create.waitForExit(timeoutSeconds: 60) == 0 else {
            throw BlockingRedisError("redis-cli --cluster create failed: \(create.output())")
        }
        try waitUntilSettled()
    }

    /// `redis://127.0.0.1:<port>` of every node, comma-separated (a seed list).
    public var seedList: String { servers.map(\.url).joined(separator: ",") }

    /// A blocking client to the node on `port`.
    public func client(port: Int) throws -> BlockingRedis { try BlockingRedis(port: port) }

    /// The slot map as one node sees it: each master's port with its slot ranges.
    public func masters(askingPort port: Int? = nil) throws -> [(port: Int, ranges: [ClosedRange<Int>])] {
        let reply = try client(port: port ?? servers[0].port).command("CLUSTER", "SLOTS")
        var out: [Int: [ClosedRange<Int>]] = [:]
        for range in reply.elements {
            let parts = range.elements
            guard parts.count >= 3, let start = parts[0].int, let end = parts[1].int,
                  let master = parts[2].elements.dropFirst().first?.int else { continue }
            out[Int(master), default: []].append(Int(start)...Int(end))
        }
        return out.keys.sorted().map { ($0, out[$0]!.sorted { $0.lowerBound < $1.lowerBound }) }
    }

    /// The slot of `key` (`CLUSTER KEYSLOT` on a node).
    public func slot(of key: String) throws -> Int {
        guard let slot = try client(port: servers[0].port).command("CLUSTER", "KEYSLOT", key).int else {
            throw BlockingRedisError("CLUSTER KEYSLOT \(key): no integer")
        }
        return Int(slot)
    }

    /// The port of the master serving `key`.
    public func masterPort(of key: String) throws -> Int {
        let slot = try slot(of: key)
        guard let master = try masters().first(where: { $0.ranges.contains { $0.contains(slot) } }) else {
            throw BlockingRedisError("no master serves slot \(slot)")
        }
        return master.port
    }

    /// The master serving the keys of sale `sale` (`fs:{sale}:…`).
    public func masterPort(ofSale sale: String) throws -> Int { try masterPort(of: "fs:{\(sale)}:sale") }

    /// A sale id `prefix<n>` whose keys live on the master at `port`.
    public func sale(onMaster port: Int, prefix: String = "s") throws -> String {
        let ranges = try masters().first { $0.port == port }?.ranges ?? []
        for n in 0..<10_000 {
            let name = "\(prefix)\(n)"
            let slot = try slot(of: "fs:{\(name)}:sale")
            if ranges.contains(where: { $0.contains(slot) }) { return name }
        }
        throw BlockingRedisError("no sale id with prefix \(prefix) lands on \(port)")
    }

    /// The port of the replica of the master at `port`.
    public func replicaPort(of port: Int) throws -> Int {
        let info = try client(port: port).command("INFO", "replication").string ?? ""
        // slave0:ip=127.0.0.1,port=7004,state=online,…
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("slave0:") }),
              let portField = line.split(separator: ",").first(where: { $0.hasPrefix("port=") }),
              let replica = Int(portField.dropFirst(5))
        else { throw BlockingRedisError("master \(port) has no replica: \(info)") }
        return replica
    }

    /// `CLUSTER FAILOVER` on the replica of the master at `port`; waits until the replica
    /// is a master and every node's slot map names it. Returns the new master's port.
    @discardableResult
    public func failover(master port: Int) throws -> Int {
        let replica = try replicaPort(of: port)
        let ranges = try masters().first { $0.port == port }?.ranges ?? []
        // The replica must have caught up before a manual failover can start.
        _ = waitUntil(timeoutSeconds: 10) {
            (try? client(port: replica).command("INFO", "replication").string?.contains("master_link_status:up")) == true
        }
        guard try client(port: replica).command("CLUSTER", "FAILOVER") == .status("OK") else {
            throw BlockingRedisError("CLUSTER FAILOVER refused on \(replica)")
        }
        let done = waitUntil(timeoutSeconds: 20, pollMillis: 50) {
            servers.allSatisfy { server in
                (try? masters(askingPort: server.port).first { $0.port == replica }?.ranges == ranges) == true
            }
        }
        guard done else { throw BlockingRedisError("failover of \(port) to \(replica) did not finish") }
        return replica
    }

    /// Moves `slot` (and its keys) from its master to the master at `target`:
    /// `SETSLOT IMPORTING/MIGRATING`, `MIGRATE` of each key, `SETSLOT NODE` on both.
    /// `betweenSteps` runs after the slot is marked migrating and before the keys move
    /// (a window where commands for keys already moved get `ASK`).
    public func moveSlot(_ slot: Int, to target: Int, betweenSteps: (() throws -> Void)? = nil) throws {
        let source = try masters().first { $0.ranges.contains { $0.contains(slot) } }!.port
        guard source != target else { return }
        let sourceID = try nodeID(port: source), targetID = try nodeID(port: target)
        _ = try client(port: target).command("CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID)
        _ = try client(port: source).command("CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID)
        try betweenSteps?()
        try migrateKeys(slot, from: source, to: target)
        try finishMove(slot, from: source, to: target)
    }

    /// `MIGRATE`s every key of `slot` still on `source` to `target`.
    public func migrateKeys(_ slot: Int, from source: Int, to target: Int) throws {
        let db = try client(port: source)
        while true {
            let keys = try db.command("CLUSTER", "GETKEYSINSLOT", String(slot), "100").elements.compactMap(\.string)
            if keys.isEmpty { break }
            let reply = try db.command(["MIGRATE", "127.0.0.1", String(target), "", "0", "5000", "KEYS"] + keys)
            guard reply == .status("OK") else { throw BlockingRedisError("MIGRATE: \(reply)") }
        }
    }

    /// `CLUSTER SETSLOT <slot> NODE <target>` on both sides, then waits until every node agrees.
    public func finishMove(_ slot: Int, from source: Int, to target: Int) throws {
        let targetID = try nodeID(port: target)
        _ = try client(port: target).command("CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
        _ = try client(port: source).command("CLUSTER", "SETSLOT", String(slot), "NODE", targetID)
        let agreed = waitUntil(timeoutSeconds: 20, pollMillis: 50) {
            servers.allSatisfy { server in
                (try? masters(askingPort: server.port).first { $0.port == target }?.ranges.contains { $0.contains(slot) }) == true
            }
        }
        guard agreed else { throw BlockingRedisError("slot \(slot) move to \(target) not agreed") }
    }

    /// The cluster node id of the node on `port`.
    public func nodeID(port: Int) throws -> String {
        guard let id = try client(port: port).command("CLUSTER", "MYID").string else {
            throw BlockingRedisError("CLUSTER MYID on \(port)")
        }
        return id
    }

    /// Stops every server.
    public func stop() {
        for server in servers { server.stop() }
    }

    private func waitUntilSettled() throws {
        let settled = waitUntil(timeoutSeconds: 30, pollMillis: 50) {
            servers.allSatisfy { server in
                let info = (try? client(port: server.port).command("CLUSTER", "INFO").string) ?? ""
                guard info.contains("cluster_state:ok"), let masters = try? masters(askingPort: server.port)
                else { return false }
                return masters.count == 3
            }
        }
        guard settled else { throw BlockingRedisError("the cluster did not reach cluster_state:ok") }
        // Every master has its replica attached.
        let masterPorts = try masters().map(\.port)
        let replicated = waitUntil(timeoutSeconds: 20, pollMillis: 50) {
            masterPorts.allSatisfy { (try? replicaPort(of: $0)) != nil }
        }
        guard replicated else { throw BlockingRedisError("the replicas did not attach") }
    }

    private static var redisCLI: String {
        ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "redis-cli"
    }

    /// A free port whose cluster bus port (+10000) is free too (any cluster-enabled server needs one).
    public static func portWithFreeBus() -> Int {
        while true {
            let port = freeLoopbackPort()
            if port + 10000 <= 65535, loopbackPortIsFree(port + 10000) { return port }
        }
    }
}
