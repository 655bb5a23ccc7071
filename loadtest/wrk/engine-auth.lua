-- wrk: purchases of SKU s1 in $SALE, each by a random buyer, authenticated one of two ways
-- so that the cost of JWT verification can be measured by difference:
--   AUTH=jwt:    Authorization: Bearer <token>, a random line of the file $TOKENS
--                (`flashsale token --count N`: real HS256 buyer tokens)
--   AUTH=header: X-User-Id: u<n>, n random in 1 … $USERS (engine with --trust-user-header)
-- The per-request client cost is the same: one random pick from a prepared table.
local path = "/v1/sales/" .. (os.getenv("SALE") or "burst") .. "/purchases"
local auth = os.getenv("AUTH") or "jwt"
local name = auth == "jwt" and "Authorization" or "X-User-Id"
local values = {}

function init(args)
  if auth == "jwt" then
    for line in io.lines(os.getenv("TOKENS")) do values[#values + 1] = "Bearer " .. line end
  else
    for i = 1, tonumber(os.getenv("USERS") or "10000") do values[i] = "u" .. i end
  end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end

local body = '{"sku":"s1","qty":1}'
function request()
  return wrk.format("POST", path,
    { ["Content-Type"] = "application/json", [name] = values[math.random(1, #values)] }, body)
end
