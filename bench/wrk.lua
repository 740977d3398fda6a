-- bench/wrk.lua: the requests of bench/stub.sh, for wrk.
--
--   wrk ... -s bench/wrk.lua URL -- get N      GET /api/items/0 .. N-1 in turn
--   wrk ... -s bench/wrk.lua URL -- post FILE  POST /api/orders, body FILE
--
-- Every request is formatted once in init(), so the client does the same
-- small amount of work per request whatever the server. done() prints one
-- line for the script to read:
--   BENCH <req/s> <p50 us> <p99 us> <non-2xx/3xx> <socket errors> <requests>

local reqs = {}
local n, i = 0, 0

function init(args)
	if args[1] == "post" then
		local f = assert(io.open(args[2], "rb"))
		local body = f:read("*a"):gsub("%s+$", "")
		f:close()
		reqs[1] = wrk.format("POST", "/api/orders",
			{ ["Content-Type"] = "application/json" }, body)
	else
		local count = tonumber(args[2]) or 100
		for k = 0, count - 1 do
			reqs[k + 1] = wrk.format("GET", "/api/items/" .. k)
		end
	end
	n = #reqs
end

function request()
	i = i % n + 1
	return reqs[i]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH %.1f %d %d %d %d %d\n",
		summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(99), e.status,
		e.connect + e.read + e.write + e.timeout, summary.requests))
end
