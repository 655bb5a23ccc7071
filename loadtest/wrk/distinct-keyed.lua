-- wrk: purchases of SKU s1 in $SALE, each by a buyer never seen before (X-User-Id, the engine
-- runs with --trust-user-header) with its own Idempotency-Key: every request reserves one unit
-- and writes a whole order (order record, buyer units, idempotency entry, expiry entry, event).
local path = "/v1/sales/" .. (os.getenv("SALE") or "cost") .. "/purchases"
local body = '{"sku":"s1","qty":1}'
local prefix = ""
local n = 0

function init(args)
  -- Unique per wrk thread and per run: a random tag.
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
  prefix = string.format("c%06x-", math.random(0, 0xFFFFFF))
end

function request()
  n = n + 1
  local user = prefix .. n
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json", ["X-User-Id"] = user, ["Idempotency-Key"] = "k-" .. user,
  }, body)
end
