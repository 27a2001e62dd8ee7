-- wrk script: PUT /cache/<key> with a fixed-size body, keys drawn at
-- random from a list (objects are overwritten, so the disk use stays
-- bounded by the list).  Requests are formatted once in init(), so the
-- client does not rebuild a 1 MiB string per request; only as many keys
-- as fit in 64 MiB of preformatted requests per thread are used.
-- Usage: wrk ... -s put.lua URL -- KEYS_FILE BODY_BYTES
-- done() prints the same RESULT line as get.lua.

local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

local reqs = {}
local nreqs = 0

function init(args)
	local size = assert(tonumber(args[2]), "no body size")
	local max = math.max(1, math.floor(64 * 1024 * 1024 / size))
	local block, body = {}, nil

	math.randomseed(os.time() * 1000 + (id or 0))
	-- A 4 KiB block of random bytes, repeated up to the body size.
	for i = 1, 4096 do
		block[i] = string.char(math.random(0, 255))
	end
	block = table.concat(block)
	body = string.rep(block, math.ceil(size / 4096)):sub(1, size)
	wrk.headers["Content-Type"] = "application/octet-stream"
	local f = assert(io.open(args[1], "r"))
	for line in f:lines() do
		if #line > 0 and nreqs < max then
			nreqs = nreqs + 1
			reqs[nreqs] = wrk.format("PUT", "/cache/" .. line, nil,
			    body)
		end
	end
	f:close()
	assert(nreqs > 0, "no keys in " .. args[1])
end

function request()
	return reqs[math.random(nreqs)]
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d " ..
	    "p99_us=%d errors=%d\n", summary.requests, summary.duration,
	    summary.bytes, latency:percentile(50), latency:percentile(99),
	    e.connect + e.read + e.write + e.status + e.timeout))
end
