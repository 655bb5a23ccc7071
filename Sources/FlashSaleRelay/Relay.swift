import FlashSaleLoop
import FlashSaleRedis
import Logging

/// The relay on its loop: finds the sales (`fs:sales`), reads each sale's events with
/// the `fs-relay` group, hands every event to the endpoints that want it, acknowledges
/// an entry once every endpoint has delivered it or dead-lettered it, keeps its pending
/// entries from being taken over, and takes over those of a relay that died.
/// Loop thread only.
final class Relay {
    private let configuration: RelayConfiguration
    private let loop: EventLoop
    private let redis: RelayRedis
    private let deliverers: [EndpointDeliverer]
    private var streams: [String: SaleStream] = [:]
    private var streamList: [SaleStream] = []
    /// Deliveries (one per order and endpoint) read and not yet finished, across sales (bounded by `maxPendingEvents`).
    private var held = 0
    /// Dead letters whose `XADD` failed, tried again on the next poll.
    private var deadRetry: [(SaleStream, DeliveryJob, String)] = []
    private let pollTimer: LoopTimer
    private let discoverTimer: LoopTimer
    private let claimTimer: LoopTimer
    private let turnHook: LoopTurnHook
    private var acksDirty = false
    private var discovering = false
    private var claiming = 0
    private var stopping = false
    private var wasUp = false
    private var acksInFlight = 0
    private var stopDone: (() -> Void)?
    private var logger = Logger(label: "flashsale.relay")
    /// Counters for `/metrics`.
    private(set) var stats = RelayStats()

    init(loop: EventLoop, configuration: RelayConfiguration, redis: RedisRouterConfiguration) {
        self.configuration = configuration
        self.loop = loop
        self.redis = RelayRedis(loop: loop, configuration: redis)
        deliverers = configuration.endpoints.map { EndpointDeliverer(endpoint: $0, loop: loop, configuration: configuration) }
        pollTimer = LoopTimer(loop: loop)
        discoverTimer = LoopTimer(loop: loop)
        claimTimer = LoopTimer(loop: loop)
        turnHook = LoopTurnHook(loop: loop)
        logger[metadataKey: "consumer"] = "\(configuration.consumer)"
    }

    // MARK: Lifecycle

    func start() {
        for deliverer in deliverers {
            let name = deliverer.endpoint.name
            deliverer.onFinished = { [unowned self] job, outcome in self.finished(job, outcome, endpoint: name) }
            deliverer.onIdle = { [unowned self] in self.maybeStopped() }
        }
        redis.onAvailabilityChange = { [unowned self] up in
            if up {
                self.logger.info("redis up")
                self.wasUp = true
                self.discover()
            } else if self.wasUp && !self.stopping {
                self.wasUp = false
                self.logger.warning("redis down", metadata: ["error": "\(self.redis.lastError)"])
            }
        }
        redis.start()
        pollTimer.start(afterMillis: configuration.pollMillis, repeatMillis: configuration.pollMillis) { [unowned self] in
            self.poll()
        }
        discoverTimer.start(afterMillis: configuration.discoverMillis, repeatMillis: configuration.discoverMillis) { [unowned self] in
            self.discover()
        }
        let claimEvery = max(20, configuration.claimIdleMillis / 4)
        claimTimer.start(afterMillis: claimEvery, repeatMillis: claimEvery) { [unowned self] in self.claimTick() }
        turnHook.start { [unowned self] in self.afterTurn() }
    }

    /// Stops reading and starting attempts; `done` runs once in-flight attempts have
    /// ended and the acknowledgements they earned are answered. What is unfinished stays
    /// pending in the group (this consumer's name reads it again at restart).
    func stop(_ done: @escaping () -> Void) {
        guard !stopping else { return done() }
        stopping = true
        stopDone = done
        pollTimer.stop()
        discoverTimer.stop()
        claimTimer.stop()
        logger.info("stopping", metadata: ["held": "\(held)"])
        for deliverer in deliverers { deliverer.stop() }
        maybeStopped()
    }

    private func maybeStopped() {
        guard stopping, let done = stopDone, deliverers.allSatisfy({ $0.inFlight == 0 }) else { return }
        flushAcks()
        guard acksInFlight == 0 else { return }
        stopDone = nil
        turnHook.close()
        pollTimer.close()
        discoverTimer.close()
        claimTimer.close()
        for deliverer in deliverers { deliverer.close() }
        redis.close()
        logger.info("stopped", metadata: ["unfinished": "\(held)"])
        done()
    }

    // MARK: Sales

    private func discover() {
        guard !stopping, !discovering, redis.isAvailable else { return }
        discovering = true
        redis.send(key: FlashSaleKeys.sales, ["SMEMBERS", FlashSaleKeys.sales]) { [unowned self] result in
            self.discovering = false
            guard case .success(let value) = result else { return }
            for sale in value.elements.compactMap(\.string).sorted() where streams[sale] == nil {
                guard FlashSaleKeys.isValidIdentifier(sale) else { continue }
                let stream = SaleStream(sale: sale)
                streams[sale] = stream
                streamList.append(stream)
                logger.info("sale found", metadata: ["sale": "\(sale)"])
                read(stream)
            }
        }
    }

    private func poll() {
        if !deadRetry.isEmpty {
            let retry = deadRetry
            deadRetry.removeAll()
            for (stream, job, endpoint) in retry { writeDead(stream, job, endpoint: endpoint) }
        }
        for stream in streamList {
            if !stream.acks.isEmpty { acksDirty = true }
            stream.more = true
            read(stream)
        }
    }

    // MARK: Reading

    private func read(_ stream: SaleStream) {
        guard !stopping, !stream.busy, stream.more, held < configuration.maxPendingEvents, redis.isAvailable else { return }
        let key = stream.keys.events
        let count = String(min(configuration.readCount, configuration.maxPendingEvents - held))
        stream.busy = true
        if case .needsGroup = stream.phase {
            redis.send(key: key, ["XGROUP", "CREATE", key, FlashSaleKeys.relayGroup, "0", "MKSTREAM"]) { [unowned self] result in
                stream.busy = false
                switch result {
                case .success:
                    stream.phase = .ownPending(after: "0")
                case .failure(.server(let message)) where message.hasPrefix("BUSYGROUP"):
                    stream.phase = .ownPending(after: "0")
                case .failure:
                    stats.redisErrors += 1
                    return
                }
                read(stream)
            }
            return
        }
        let from: String
        if case .ownPending(let after) = stream.phase { from = after } else { from = ">" }
        redis.send(key: key, ["XREADGROUP", "GROUP", FlashSaleKeys.relayGroup, configuration.consumer,
                              "COUNT", count, "STREAMS", key, from]) { [unowned self] result in
            stream.busy = false
            switch result {
            case .success(let value):
                let entries = StreamEntry.readGroup(value)
                stats.reads += 1
                if case .ownPending = stream.phase {
                    stream.phase = entries.last.map { .ownPending(after: $0.id) } ?? .live
                    stream.more = true
                } else {
                    stream.more = entries.count >= Int(count)!
                }
                for entry in entries { dispatch(stream, entry) }
                read(stream)
            case .failure(.server(let message)) where message.hasPrefix("NOGROUP"):
                stream.phase = .needsGroup
            case .failure:
                stats.redisErrors += 1
            }
        }
    }

    /// Hands one entry to the endpoints that want it (or acknowledges it at once).
    private func dispatch(_ stream: SaleStream, _ entry: StreamEntry) {
        guard !stream.isOutstanding(entry.id) else { return }
        stats.entriesRead += 1
        let events = entry.fields.map { RelayEvent.decode(sale: stream.sale, entryID: entry.id, fields: $0) } ?? []
        guard !events.isEmpty else {
            stats.undecodable += 1
            acknowledge(stream, entry.id)
            return
        }
        var jobs: [(EndpointDeliverer, DeliveryJob)] = []
        for event in events {
            for deliverer in deliverers {
                if let only = event.onlyEndpoint, only != deliverer.endpoint.name { continue }
                if deliverer.endpoint.wants(event.type) {
                    jobs.append((deliverer, DeliveryJob(event: event)))
                } else {
                    deliverer.skipped()
                }
            }
        }
        guard !jobs.isEmpty else {
            acknowledge(stream, entry.id)
            return
        }
        // The entry is acknowledged when every (event, endpoint) job has finished.
        stream.hold(entry.id, jobs: jobs.count, millis: RelayEvent.millis(ofEntryID: entry.id))
        // The bound counts deliveries (one per order and endpoint), not entries: a schema 2
        // entry carries a whole flush batch.
        held += jobs.count
        for (deliverer, job) in jobs { deliverer.submit(job) }
    }

    // MARK: Finishing

    private func finished(_ job: DeliveryJob, _ outcome: DeliveryOutcome, endpoint: String) {
        guard let stream = streams[job.event.sale] else { return }
        switch outcome {
        case .delivered:
            finishOne(stream, job.event.entryID)
        case .dead:
            logger.warning("dead letter", metadata: [
                "sale": "\(stream.sale)", "entry": "\(job.event.entryID)", "endpoint": "\(endpoint)",
                "attempts": "\(job.attempts)", "error": "\(job.lastError)",
            ])
            writeDead(stream, job, endpoint: endpoint)
        }
    }

    /// Appends the dead letter, then counts the endpoint as finished (never acknowledged before).
    private func writeDead(_ stream: SaleStream, _ job: DeliveryJob, endpoint: String) {
        let key = stream.keys.deadLetters
        let command = ["XADD", key, "MAXLEN", "~", String(configuration.deadLetterMaxLength), "*"]
            + DeadLetter.fields(job, endpoint: endpoint, nowMillis: EventLoop.wallClockMillis())
        redis.send(key: key, command) { [unowned self] result in
            switch result {
            case .success:
                stats.deadLetters += 1
                finishOne(stream, job.event.entryID)
            case .failure:
                stats.deadLetterWriteFailures += 1
                deadRetry.append((stream, job, endpoint))
            }
        }
    }

    private func finishOne(_ stream: SaleStream, _ id: String) {
        held -= 1
        guard stream.finishOne(id) else { return }
        acksDirty = true
    }

    private func acknowledge(_ stream: SaleStream, _ id: String) {
        stream.acks.append(id)
        acksDirty = true
    }

    // MARK: Each turn: acknowledgements, more reads

    private func afterTurn() {
        guard acksDirty else { return }
        acksDirty = false
        flushAcks()
        for stream in streamList where stream.more { read(stream) }
    }

    private func flushAcks() {
        for stream in streamList where !stream.acks.isEmpty {
            guard redis.isAvailable else { return }
            let ids = stream.acks
            stream.acks.removeAll(keepingCapacity: true)
            let key = stream.keys.events
            acksInFlight += 1
            redis.send(key: key, ["XACK", key, FlashSaleKeys.relayGroup] + ids) { [unowned self] result in
                acksInFlight -= 1
                if case .failure = result {
                    // Tried again on the next poll (kept pending meanwhile: never lost).
                    stats.ackFailures += 1
                    stream.acks.append(contentsOf: ids)
                } else {
                    stats.acked += UInt64(ids.count)
                }
                if stopping { maybeStopped() }
            }
        }
    }

    // MARK: Takeover

    /// Resets the idle time of every entry this process holds (so no other relay takes
    /// them over while they wait for a retry), then takes over entries idle longer
    /// than `claimIdleMillis` (a relay that died).
    private func claimTick() {
        guard !stopping, claiming == 0, redis.isAvailable else { return }
        for stream in streamList {
            guard case .live = stream.phase else { continue }
            let key = stream.keys.events
            var commands: [[String]] = []
            var ids: [String] = []
            for id in stream.heldIDs {
                ids.append(id)
                if ids.count == 1000 {
                    commands.append(["XCLAIM", key, FlashSaleKeys.relayGroup, configuration.consumer, "0"] + ids + ["JUSTID"])
                    ids.removeAll(keepingCapacity: true)
                }
            }
            if !ids.isEmpty {
                commands.append(["XCLAIM", key, FlashSaleKeys.relayGroup, configuration.consumer, "0"] + ids + ["JUSTID"])
            }
            let room = configuration.maxPendingEvents - held
            let takeOver = room > 0
            if takeOver {
                commands.append(["XAUTOCLAIM", key, FlashSaleKeys.relayGroup, configuration.consumer,
                                 String(configuration.claimIdleMillis), stream.claimCursor,
                                 "COUNT", String(min(configuration.readCount, room))])
            }
            guard !commands.isEmpty else { continue }
            claiming += 1
            redis.sendAll(key: key, commands) { [unowned self] results in
                claiming -= 1
                guard takeOver, !stopping, case .success(let value)? = results.last,
                    let claimed = StreamEntry.autoclaim(value)
                else { return }
                stream.claimCursor = claimed.cursor
                let before = stats.entriesRead
                for entry in claimed.entries { dispatch(stream, entry) }
                stats.takenOver += stats.entriesRead - before
            }
        }
    }

    // MARK: Metrics

    /// The `/metrics` text.
    func renderMetrics() -> String {
        RelayMetrics.render(
            deliverers: deliverers, streams: streamList, stats: stats, redisUp: redis.isAvailable,
            nowMillis: EventLoop.wallClockMillis())
    }
}

/// The relay's own counters.
struct RelayStats {
    var reads: UInt64 = 0
    var entriesRead: UInt64 = 0
    var undecodable: UInt64 = 0
    var acked: UInt64 = 0
    var ackFailures: UInt64 = 0
    var deadLetters: UInt64 = 0
    var deadLetterWriteFailures: UInt64 = 0
    var takenOver: UInt64 = 0
    var redisErrors: UInt64 = 0
}
