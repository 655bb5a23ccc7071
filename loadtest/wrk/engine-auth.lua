-- wrk: purchases authenticated with real HS256 buyer tokens (one per line in $TOKENS),
-- a random token per request. Used to measure the cost of JWT verification.
local path = "/v1/sales/" .. (os.getenv("SALE") or "burst") .. "/purchases"
local tokens = {}
function init(args)
  for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = "Bearer " .. line end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
local body = '{"sku":"s1","qty":1}'
function request()
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Authorization"] = tokens[math.random(1, #tokens)] }, body)
end
