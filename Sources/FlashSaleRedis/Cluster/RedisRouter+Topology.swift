import FlashSaleLoop
import FlashSaleWorker

extension RedisRouter {
    /// Opens a client to the next seed not tried yet; the earlier ones keep reconnecting,
    /// and the first to come up is asked whether it is a cluster node.
    func startNextSeed() {
        guard !isClosing, mode == .detecting, seedClients.count < configuration.seeds.count else { return }
        let client = makeClient(configuration.seeds[seedClients.count])
        seedClients.append(client)
        client.onHealthChange = { [unowned self, unowned client] health, error in
            self.seedHealthChanged(client, health, error)
        }
        client.start()
    }

    private func seedHealthChanged(_ client: RedisClient, _ health: StoreHealth, _ error: String) {
        guard mode == .detecting, !isClosing else { return }
        switch health {
        case .up:
            detect(on: client)
        case .down:
            // Down only once every seed was tried: until then the next one may answer.
            setHealth(seedClients.count < configuration.seeds.count ? .connecting : .down, error)
            // Try the next seed a little later (its own client keeps retrying this one).
            if !seedTimer.isActive, seedClients.count < configuration.seeds.count {
                seedTimer.start(afterMillis: configuration.connection.reconnectBaseMillis) { [unowned self] in
                    self.startNextSeed()
                }
            }
        case .connecting, .closed:
            break
        }
    }

    /// `INFO cluster` on the first seed that came up decides the mode.
    private func detect(on client: RedisClient) {
        client.send(["INFO", "cluster"]) { [unowned self, unowned client] result in
            guard self.mode == .detecting, !self.isClosing else { return }
            switch result {
            case .success(let value) where (value.string ?? "").contains("cluster_enabled:1"):
                self.enterCluster(via: client)
            case .success, .failure(.server):
                // No cluster support, or INFO refused (an ACL): a standalone server.
                self.enterStandalone(client)
            case .failure:
                break  // the connection went down again: its health change comes next
            }
        }
    }

    private func enterStandalone(_ client: RedisClient) {
        if configuration.seeds.count > 1 {
            setHealth(.down, "\(client.configuration.endpoint) is not a Redis Cluster node (cluster_enabled:0); a seed list needs a cluster")
            return
        }
        mode = .standalone
        seedTimer.stop()
        single = client
        seedClients.removeAll()
        client.onHealthChange = { [unowned self] health, error in self.setHealth(health, error) }
        setHealth(client.health, client.lastError)
    }

    private func enterCluster(via client: RedisClient) {
        guard client.configuration.endpoint.database == 0 else {
            setHealth(.down, "\(client.configuration.endpoint): Redis Cluster has only database 0")
            return
        }
        client.send(["CLUSTER", "SLOTS"]) { [unowned self, unowned client] result in
            guard self.mode == .detecting, !self.isClosing else { return }
            guard case .success(let reply) = result,
                  let map = try? ClusterSlotMap(slotsReply: reply, answeredBy: client.configuration.endpoint)
            else {
                self.setHealth(.down, "CLUSTER SLOTS on \(client.configuration.endpoint) failed: \(result)")
                return
            }
            self.counters.refreshes += 1
            self.mode = .cluster
            self.seedTimer.stop()
            // Keep a seed's connection when it is a master; close the others.
            for seed in self.seedClients {
                if map.masters.contains(where: { $0.nodeName == seed.configuration.endpoint.nodeName }) {
                    self.adopt(seed)
                } else {
                    seed.onHealthChange = nil
                    seed.close()
                }
            }
            self.seedClients.removeAll()
            self.apply(map)
            let period = self.configuration.refreshIntervalMillis
            self.refreshTimer.start(afterMillis: period, repeatMillis: period) { [unowned self] in self.refreshMap() }
        }
    }

    /// Takes `client` into the node table, watching its health.
    private func adopt(_ client: RedisClient) {
        nodes[client.configuration.endpoint.nodeName] = client
        client.onHealthChange = { [unowned self] health, _ in
            if health != .up { self.refreshMap() }
            self.updateClusterHealth()
        }
    }

    /// The client of `endpoint`, opened (and started) when new.
    func node(_ endpoint: RedisEndpoint) -> RedisClient {
        if let client = nodes[endpoint.nodeName] { return client }
        let client = makeClient(endpoint)
        adopt(client)
        client.start()
        return client
    }

    /// Uses `newMap`: a client per master; clients of nodes that are no longer masters
    /// close once nothing is in flight on them.
    func apply(_ newMap: ClusterSlotMap) {
        // Open the new clients first: their callbacks may route commands, which must see
        // the old map with its own clients until both change together.
        applyingMap = true
        let clients = newMap.masters.map { node($0) }
        applyingMap = false
        map = newMap
        masterClients = clients
        let masterNames = Set(newMap.masters.map(\.nodeName))
        for (name, client) in nodes where !masterNames.contains(name) && client.inFlight == 0 {
            client.onHealthChange = nil
            client.close()
            nodes[name] = nil
        }
        updateClusterHealth()
    }

    /// Asks any connected master (else any connected node) for `CLUSTER SLOTS`; one refresh
    /// at a time, one more queued if asked meanwhile.
    func refreshMap() {
        guard mode == .cluster, !isClosing else { return }
        guard !refreshing else { refreshAgain = true; return }
        // At most one refresh per minimum interval (an outage answers many commands at once).
        let now = loop.nowMillis
        let next = lastRefreshMillis + Self.minRefreshIntervalMillis
        guard now >= next || lastRefreshMillis == 0 else {
            if !refreshSoonTimer.isActive {
                refreshSoonTimer.start(afterMillis: next - now) { [unowned self] in self.refreshMap() }
            }
            return
        }
        lastRefreshMillis = now
        guard let asked = masterClients.first(where: { $0.health == .up }) ?? nodes.values.first(where: { $0.health == .up })
        else { return }  // nobody to ask: the next health change or period asks again
        refreshing = true
        asked.send(["CLUSTER", "SLOTS"]) { [unowned self, unowned asked] result in
            self.refreshing = false
            guard !self.isClosing else { return }
            if case .success(let reply) = result,
               let map = try? ClusterSlotMap(slotsReply: reply, answeredBy: asked.configuration.endpoint) {
                self.counters.refreshes += 1
                if map != self.map { self.apply(map) }
            }
            if self.refreshAgain {
                self.refreshAgain = false
                self.refreshMap()
            }
        }
    }

    /// The shortest time between two `CLUSTER SLOTS` of one router.
    static let minRefreshIntervalMillis: UInt64 = 50

    /// Cluster health: up when every slot has a master and every master is connected.
    func updateClusterHealth() {
        guard mode == .cluster, !isClosing, !applyingMap else { return }
        if !map.isComplete {
            return setHealth(.down, "the cluster's slot map has unassigned slots")
        }
        if let notUp = masterClients.first(where: { $0.health != .up }) {
            let why = notUp.lastError.isEmpty ? "\(notUp.configuration.endpoint) not connected" : notUp.lastError
            // A connection not tried yet is connecting, not down.
            let connecting = notUp.health == .connecting || notUp.counters.connectAttempts == 0
            return setHealth(connecting ? .connecting : .down, why)
        }
        setHealth(.up, lastError)
    }
}
