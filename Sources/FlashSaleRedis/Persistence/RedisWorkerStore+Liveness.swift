import FlashSaleWorker

extension RedisWorkerStore: LeaseLivenessStore {
    public func beat(sale: String, worker: String, completion: @escaping (Result<HolderBeat, StoreError>) -> Void) {
        client.run(FlashSaleScripts.holderBeatCall(sale: sale, worker: worker)) { result in
            completion(Self.read(result) { try HolderBeat.parse($0) })
        }
    }

    public func reapSilentHolders(
        sale: String, graceMillis: Int64, completion: @escaping (Result<[ReapedHolder], StoreError>) -> Void
    ) {
        client.run(FlashSaleScripts.reapCall(sale: sale, graceMillis: graceMillis)) { result in
            completion(Self.read(result) { try ReapedHolder.parseAll($0) })
        }
    }
}

extension RedisWorkerStore: ReplicationStore {
    public func waitForReplicas(
        sale: String, replicas: Int, timeoutMillis: Int, completion: @escaping (Result<Int, StoreError>) -> Void
    ) {
        // WAIT has no key: route it by the sale's hash tag, so it follows the batch's flush
        // on the same master connection (on one Redis there is only one).
        client.send(["WAIT", String(replicas), String(timeoutMillis)], routingKey: FlashSaleKeys(sale: sale).saleHash) { result in
            completion(Self.read(result) { reply in
                guard let count = reply.int else { throw StoreError.badReply("WAIT: \(reply)") }
                return Int(count)
            })
        }
    }
}
