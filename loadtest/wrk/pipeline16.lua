-- wrk: HTTP/1.1 pipelining, 16 GETs of the URL's path per write (as in
-- TechEmpower "plaintext"). It takes wrk's own per-request cost out of the HTTP
-- ceilings; wrk's latency histogram is not meaningful in this mode.
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format("GET", wrk.path) end
  req = table.concat(r)
end
request = function() return req end
