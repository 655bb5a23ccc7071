-- wrk: sell-out burst against the FlashSale engine (--trust-user-header).
-- Users drawn from 1M distinct ids (u1..u1000000) in X-User-Id; counts 201/409/other.
-- Same generator cost as the anchors' burst.lua (one random number + one format per request).
local counter = 0
local threads = {}
local path = "/v1/sales/" .. (os.getenv("SALE") or "burst") .. "/purchases"
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + math.floor(os.clock() * 1e6))
  ok, conflict, other = 0, 0, 0
end
local body = '{"sku":"s1","qty":1}'
function request()
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["X-User-Id"] = "u" .. math.random(1, 1000000) }, body)
end
function response(status, headers, body)
  if status == 201 then ok = ok + 1
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
