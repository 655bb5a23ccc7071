-- wrk: HTTP/1.1 pipelining, 16 GETs of the URL's path per write (as in
-- TechEmpower "plaintext" and ../shared/anchors/wrk/pipeline16.lua, which
-- always asks for "/"; this one keeps the path so /healthz can be measured).
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format("GET", wrk.path) end
  req = table.concat(r)
end
request = function() return req end
