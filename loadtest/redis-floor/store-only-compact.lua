-- The compact store-only floor (loadtest/redis-floor.sh): as store-only.lua, but with
-- the most compact layout Redis offers for it: records in small listpack hashes
-- bucketed by id prefix (needs hash-max-listpack-value >= the record's length), the
-- batch's events and expiry ids each packed into one value by the client, 3 values per
-- order (id, user, record). Still no check of any kind.
-- ARGV: norders, packed events, packed ids, then per order id, user, record.
local n = tonumber(ARGV[1])
local prefix = string.sub(KEYS[1], 1, -5)
local buckets, names, buy = {}, {}, {}
local a = 3
for o = 1, n do
  local id = ARGV[a + 1]
  local k = prefix .. 'o:' .. string.sub(id, 1, 19)
  local t = buckets[k]
  if not t then t = {}; buckets[k] = t; names[#names + 1] = k end
  t[#t + 1] = string.sub(id, 20)
  t[#t + 1] = ARGV[a + 3]
  buy[2 * o - 1] = ARGV[a + 2]; buy[2 * o] = '1'
  a = a + 3
end
for _, k in ipairs(names) do redis.call('HSET', k, unpack(buckets[k])) end
redis.call('HSET', KEYS[8], unpack(buy))
redis.call('RPUSH', KEYS[3] .. ':floor', ARGV[3])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', 100000, '*', 'type', 'reserved', 'orders', ARGV[2])
redis.call('HINCRBY', KEYS[7], 'reserved', n)
return {'', {}, {}}
