-- wrk: the same purchases as engine-jwt.lua, but naming the user in X-User-Id
-- (--trust-user-header) instead of a token: the baseline for the JWT cost.
local path = "/v1/sales/" .. (os.getenv("SALE") or "burst") .. "/purchases"
local users = {}
function init(args)
  local n = tonumber(os.getenv("USERS") or "10000")
  for i = 1, n do users[i] = "u" .. i end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
local body = '{"sku":"s1","qty":1}'
function request()
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["X-User-Id"] = users[math.random(1, #users)] }, body)
end
