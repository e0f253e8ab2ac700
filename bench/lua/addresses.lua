-- addresses.lua: GET /api/v1/addresses?q=... over the queries of
-- BENCH_QUERIES (one a line, UTF-8, from bench/gen-addresses.py: eight
-- spellings of register addresses, typing prefixes among them), in a
-- random order that is the same on every run.
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

-- RFC 3986 percent-encoding of everything but the unreserved characters.
local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(ch) return string.format("%%%02X", ch:byte()) end))
end

c.scenario(function()
  local path = os.getenv("BENCH_QUERIES") or "bench/data/address-queries.txt"
  local f = assert(io.open(path, "r"), "cannot read " .. path)
  local reqs = {}
  for line in f:lines() do
    if line ~= "" then
      reqs[#reqs + 1] = wrk.format("GET", "/api/v1/addresses?limit=10&q=" .. encode(line))
    end
  end
  f:close()
  return reqs
end)
