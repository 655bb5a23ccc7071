-- wrk: sell-out burst, one purchase of one unit of SKU s1 per request by a random user
-- drawn from $USERS ids (u1 … u$USERS, default 1,000,000). Counts the answers and prints
--   BURST_COUNTS ok=N conflict=N other=N
-- (ok: the target's success status; conflict: 409 sold out / already bought).
--
-- BURST_TARGET=engine (default): FlashSale with --trust-user-header,
--   POST /v1/sales/$SALE/purchases, user in X-User-Id, success 201.
-- BURST_TARGET=peer: loadtest/peers/seckill-go, POST /purchase, user in the body, success 200.
-- Both cost the client the same per request: one random number and one wrk.format.
local target = os.getenv("BURST_TARGET") or "engine"
local users = tonumber(os.getenv("USERS") or "1000000")
local success = target == "peer" and 200 or 201
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1e6))
  ok, conflict, other = 0, 0, 0
end

if target == "peer" then
  local headers = { ["Content-Type"] = "application/json" }
  function request()
    return wrk.format("POST", "/purchase", headers,
      '{"user":"u' .. math.random(1, users) .. '","sku":"s1","qty":1}')
  end
else
  local path = "/v1/sales/" .. (os.getenv("SALE") or "burst") .. "/purchases"
  local body = '{"sku":"s1","qty":1}'
  function request()
    return wrk.format("POST", path,
      { ["Content-Type"] = "application/json", ["X-User-Id"] = "u" .. math.random(1, users) }, body)
  end
end

function response(status, headers, body)
  if status == success then ok = ok + 1
  elseif status == 409 then conflict = conflict + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local o, c, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); c = c + t:get("conflict"); x = x + t:get("other")
  end
  io.write(string.format("BURST_COUNTS ok=%d conflict=%d other=%d\n", o, c, x))
end
