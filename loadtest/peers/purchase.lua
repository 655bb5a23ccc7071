-- The canonical "one Redis script per purchase" seckill: every buy is one atomic
-- EVALSHA that checks the buyer and the stock and records the order.
--
--   KEYS[1]  stock:<sku>   string, units left
--   KEYS[2]  buyers:<sku>  set of users who already bought (one purchase per user)
--   KEYS[3]  orders:<sku>  stream, one entry per order
--   ARGV[1]  user   ARGV[2]  qty   ARGV[3]  sku
--
-- Answers the units left after this purchase (>= 0), -1 when the user has
-- bought before, -2 when fewer than qty units are left.
local user, qty, sku = ARGV[1], tonumber(ARGV[2]), ARGV[3]
if redis.call('SISMEMBER', KEYS[2], user) == 1 then
  return -1
end
local left = tonumber(redis.call('GET', KEYS[1])) or 0
if left < qty then
  return -2
end
left = redis.call('DECRBY', KEYS[1], qty)
redis.call('SADD', KEYS[2], user)
redis.call('XADD', KEYS[3], '*', 'user', user, 'sku', sku, 'qty', qty)
return left
