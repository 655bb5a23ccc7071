-- The store-only floor (loadtest/redis-floor.sh): what storing an order costs Redis with
-- the flush's own layout and one multi-field command per structure per batch, and no
-- check at all (no lease, limit, idempotency or retry check). ARGV as the real flush's:
-- sale, worker, nsku, norders, cap, at, sku, then 8 values per order.
local n = tonumber(ARGV[4])
local a = 7
local recs, buy, ids, evs = {}, {}, {}, {}
for o = 1, n do
  local id = ARGV[a + 1]
  recs[2 * o - 1] = id; recs[2 * o] = ARGV[a + 7]
  buy[2 * o - 1] = ARGV[a + 3]; buy[2 * o] = '1'
  ids[o] = id
  evs[2 * o - 1] = id; evs[2 * o] = ARGV[a + 8]
  a = a + 8
end
redis.call('HSET', KEYS[5], unpack(recs))
redis.call('HSET', KEYS[8], unpack(buy))
redis.call('RPUSH', KEYS[3] .. ':floor', unpack(ids))
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'type', 'reserved', unpack(evs))
redis.call('HINCRBY', KEYS[7], 'reserved', n)
return {'', {}, {}}
