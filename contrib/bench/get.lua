-- wrk script: GET /cache/<key> for keys drawn at random from a list.
-- Usage: wrk ... -s get.lua URL -- KEYS_FILE
-- KEYS_FILE holds one hex key per line.  done() prints one line that
-- http-vs-nginx.sh parses:
--   RESULT requests=N duration_us=N bytes=N p50_us=N p99_us=N errors=N

local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

local paths = {}
local npaths = 0

function init(args)
	local f = assert(io.open(args[1], "r"))
	for line in f:lines() do
		if #line > 0 then
			npaths = npaths + 1
			paths[npaths] = wrk.format("GET", "/cache/" .. line)
		end
	end
	f:close()
	assert(npaths > 0, "no keys in " .. args[1])
	math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
	return paths[math.random(npaths)]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d " ..
	    "p99_us=%d errors=%d\n", summary.requests, summary.duration,
	    summary.bytes, latency:percentile(50), latency:percentile(99),
	    e.connect + e.read + e.write + e.status + e.timeout))
end
