-- healthz.lua: GET /healthz, the yardstick of bench/run. Served through
-- the same Lua request() path as every other scenario, so wrk spends the
-- same effort per request everywhere and the ratios compare the server.
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

local next_request
setup = c.setup
function init(args)
  c.seed()
  next_request = c.serve({wrk.format("GET", "/healthz")}, true)
end
function request() return next_request() end
