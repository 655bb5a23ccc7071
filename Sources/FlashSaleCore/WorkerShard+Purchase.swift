extension WorkerShard {
    /// Decides a purchase from Strings as they come out of a request.
    ///
    /// Cost over the bytes version: none for native Swift Strings (their UTF-8 is read in
    /// place); on `.reserved` the user and key Strings are retained, not copied.
    public func purchase(
        sale: String, sku: String, user: String, qty: Int, idempotencyKey: String?, now: Int64
    ) -> PurchaseDecision {
        syncIfNeeded()
        var saleText = sale
        return saleText.withUTF8 { saleBytes in
            guard let s = saleTable.lookup(UnsafeRawBufferPointer(saleBytes)) else { return .saleNotFound }
            var skuText = sku
            return skuText.withUTF8 { skuBytes in
                guard let k = sales[s].skuTable.lookup(UnsafeRawBufferPointer(skuBytes)) else { return .skuNotFound }
                return decide(s, k, user: user, idempotencyKey: idempotencyKey, qty: qty, now: now, ticket: nil)
            }
        }
    }

    /// Decides a purchase straight from UTF-8 bytes (e.g. slices of the HTTP read buffer);
    /// the bytes need only live for the call. Makes no String unless the purchase is
    /// reserved (user id and key, one allocation each when longer than 15 bytes) or parked.
    public func purchase(
        saleUTF8: UnsafeRawBufferPointer, skuUTF8: UnsafeRawBufferPointer, userUTF8: UnsafeRawBufferPointer,
        qty: Int, idempotencyKeyUTF8: UnsafeRawBufferPointer?, now: Int64
    ) -> PurchaseDecision {
        syncIfNeeded()
        guard let s = saleTable.lookup(saleUTF8) else { return .saleNotFound }
        guard let k = sales[s].skuTable.lookup(skuUTF8) else { return .skuNotFound }
        return decide(
            s, k, user: userUTF8, key: idempotencyKeyUTF8, userString: nil, keyString: nil, qty: qty, now: now,
            ticket: nil)
    }

    func decide(
        _ s: Int, _ k: Int, user: String, idempotencyKey: String?, qty: Int, now: Int64, ticket: ParkTicket?
    ) -> PurchaseDecision {
        guard qty >= 1 else { return .invalidQuantity }
        let gate = gate(s, k, qty: qty, now: now)
        // A refusal without a key needs no user bytes at all.
        if idempotencyKey == nil, case .refuse(let refusal) = gate { return refusal }
        var userText = user
        return userText.withUTF8 { userBytes in
            guard var keyText = idempotencyKey else {
                return decide(
                    s, k, user: UnsafeRawBufferPointer(userBytes), key: nil, userString: user, keyString: nil, qty: qty,
                    now: now, ticket: ticket, gate: gate)
            }
            return keyText.withUTF8 { keyBytes in
                decide(
                    s, k, user: UnsafeRawBufferPointer(userBytes), key: UnsafeRawBufferPointer(keyBytes),
                    userString: user, keyString: idempotencyKey, qty: qty, now: now, ticket: ticket, gate: gate)
            }
        }
    }

    /// What the checks that need neither the user nor the ledger say.
    enum Gate {
        case proceed
        case park
        case refuse(PurchaseDecision)
    }

    /// Schedule, static limit, stock (park or sold out), queue room. May queue a lease.
    @inline(__always)
    func gate(_ s: Int, _ k: Int, qty: Int, now: Int64) -> Gate {
        if now < sales[s].startsAtMillis { return .refuse(.saleNotStarted) }
        if now >= sales[s].endsAtMillis { return .refuse(.saleEnded) }
        if qty > sales[s].perUserLimit { return .refuse(.limitExceeded) }
        if qty > sales[s].skus[k].total { return .refuse(.soldOut) }
        let slice = sales[s].skus[k].slice
        if slice < qty { return stockWait(s, k, deficit: qty - slice, now: now) ? .park : .refuse(.soldOut) }
        if pending.count >= pendingCapacity { return .refuse(.overloaded) }
        return .proceed
    }

    /// The decision. Order of checks: quantity, schedule, static limit, stock (park or
    /// sold out), queue room; a request with an Idempotency-Key that would be refused or
    /// parked is first checked for a duplicate; then the ledger atomically re-checks the key
    /// and the limit and takes the units.
    func decide(
        _ s: Int, _ k: Int, user: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, userString: String?,
        keyString: String?, qty: Int, now: Int64, ticket: ParkTicket?, gate precomputed: Gate? = nil
    ) -> PurchaseDecision {
        guard qty >= 1 else { return .invalidQuantity }
        let handle = sales[s].skus[k].handle
        let limit = sales[s].perUserLimit
        var refusal: PurchaseDecision?
        var park = false
        switch precomputed ?? gate(s, k, qty: qty, now: now) {
        case .proceed: break
        case .park: park = true
        case .refuse(let decision): refusal = decision
        }

        // Only a request with a key needs it now (drained orders get theirs at drain time).
        let fingerprint = key == nil ? 0 : RequestFingerprint.continuing(sales[s].skus[k].fingerprintBase, qty: qty)
        if refusal != nil || park {
            if let key {
                let keys = ledger.keys(user: user, sku: handle)
                let idempotency = ledger.idempotencyKey(
                    user: user, userHash: keys.userHash, saleSlot: handle.saleSlot, key: key)
                switch ledger.checkIdempotency(keys, key: idempotency, fingerprint: fingerprint, now: now) {
                case .fresh: break
                case .duplicate(let previous): return .duplicate(previous)
                case .reused: return .idempotencyKeyReused
                }
            }
            if let refusal { return refusal }
            return parkPurchase(
                s, k, user: user, key: key, userString: userString, keyString: keyString, qty: qty, now: now,
                ticket: ticket)
        }

        let keys = ledger.keys(user: user, sku: handle)
        let idempotency = key.map {
            ledger.idempotencyKey(user: user, userHash: keys.userHash, saleSlot: handle.saleSlot, key: $0)
        }
        // Schema 3: a keyed order's id is derived from the buyer and the key, so that any
        // node's retry lands on the same record (the store's idempotency index).
        let id: OrderID
        if let key, let salt = sales[s].orderIDSalt {
            id = OrderID(salt: salt, user: user, key: key)
            // The ledger normally answers a retry first; if its entry is gone while the first
            // order is still unanswered, the pending record is the one to replay.
            if let earlier = pending[id] {
                guard earlier.sku == handle, Int(earlier.qty) == qty else { return .idempotencyKeyReused }
                return .duplicate(ReservedOrder(
                    id: id, sku: handle, qty: qty, createdAtMillis: earlier.createdAtMillis,
                    expiresAtMillis: earlier.expiresAtMillis))
            }
        } else {
            id = ids.next(now: now)
        }
        let (expiry, overflow) = now.addingReportingOverflow(sales[s].reservationTTLMillis)
        let reservation = ReservedOrder(
            id: id, sku: handle, qty: qty, createdAtMillis: now, expiresAtMillis: overflow ? Int64.max : expiry)
        switch ledger.reserve(
            keys, qty: qty, limit: limit, idempotency: idempotency, fingerprint: fingerprint,
            order: reservation, now: now)
        {
        case .reserved: break
        case .limitExceeded: return .limitExceeded
        case .duplicate(let previous): return .duplicate(previous)
        case .reused: return .idempotencyKeyReused
        }

        sales[s].skus[k].slice -= qty
        sales[s].skus[k].lastActivityMillis = now
        pending.set(
            id,
            PendingRecord(
                user: userString ?? String(decoding: user, as: UTF8.self),
                idempotencyKey: keyString ?? key.map { String(decoding: $0, as: UTF8.self) }, sku: handle,
                qty: Int32(qty), stripe: Int32(keys.stripe), holding: keys.holding,
                idempotency: idempotency ?? .vacant, createdAtMillis: now,
                expiresAtMillis: reservation.expiresAtMillis))
        queue.append(id)
        requestLeaseIfLow(s, k, now: now)
        return .reserved(reservation)
    }

    /// The slice cannot cover a purchase: true to park it (a lease is coming or has just
    /// been asked for, or units leased to other workers may come back), false to answer
    /// sold out.
    func stockWait(_ s: Int, _ k: Int, deficit: Int, now: Int64) -> Bool {
        if sales[s].skus[k].lease != .idle { return true }
        let pool = sales[s].skus[k].poolEstimate
        if sales[s].skus[k].poolKnownEmpty || pool < deficit {
            // The tail: units idle in a sibling's slice are still for sale. Wait for them
            // (bounded by the park timeout) and poll the pool (`pollTail`); the sibling
            // hands them back when it sees the demand or has not sold for a moment.
            if sales[s].skus[k].leasedElsewhere > 0, pool + sales[s].skus[k].leasedElsewhere >= deficit {
                process.tailDemand.signal(sales[s].skus[k].handle, now: now)
                if now - sales[s].skus[k].tailPolledAtMillis >= policy.tailPollMillis {
                    sales[s].skus[k].tailPolledAtMillis = now
                    queueLease(s, k, units: max(policy.minLease, deficit))
                }
                return true
            }
            // Probe now and then: cancels, expiries and returned leases refill the pool.
            if now - sales[s].skus[k].emptyCheckedAtMillis >= policy.emptyPoolRecheckMillis {
                sales[s].skus[k].emptyCheckedAtMillis = now
                queueLease(s, k, units: max(policy.minLease, deficit))
            }
            return false
        }
        queueLease(s, k, units: max(policy.leaseSize(poolRemaining: pool), deficit))
        return true
    }

    func parkPurchase(
        _ s: Int, _ k: Int, user: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, userString: String?,
        keyString: String?, qty: Int, now: Int64, ticket: ParkTicket?
    ) -> PurchaseDecision {
        if let ticket { return .parked(ticket) }
        guard parked.count < parkCapacity else { return .overloaded }
        let newTicket = ParkTicket(value: nextTicket)
        nextTicket &+= 1
        parked.append(ParkedPurchase(
            ticket: newTicket, sku: sales[s].skus[k].handle,
            user: userString ?? String(decoding: user, as: UTF8.self),
            idempotencyKey: keyString ?? key.map { String(decoding: $0, as: UTF8.self) }, qty: qty,
            parkedAtMillis: now))
        sales[s].skus[k].parkedCount += 1
        return .parked(newTicket)
    }
}

extension RequestFingerprint {
    /// Finishes a fingerprint from the FNV state after the SKU name bytes.
    @inline(__always)
    static func continuing(_ base: UInt64, qty: Int) -> UInt64 {
        var hash = base
        var q = UInt64(UInt(bitPattern: qty))
        for _ in 0..<8 {
            hash = (hash ^ (q & 0xff)) &* 0x0000_0100_0000_01b3
            q >>= 8
        }
        return hash
    }
}
