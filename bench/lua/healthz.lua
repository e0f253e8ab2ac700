-- healthz.lua: GET /healthz, the yardstick of bench/run. Served through
-- the same Lua request() path as every other scenario, so wrk spends the
-- same effort per request everywhere and the ratios compare the server.
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

c.scenario(function() return {wrk.format("GET", "/healthz")} end, true)
