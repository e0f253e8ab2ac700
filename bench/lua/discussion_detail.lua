-- discussion_detail.lua: GET /api/v1/discussions/{id} over the 64 public
-- discussions of city.info's detail_ids (the general plan first).
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

local next_request
setup = c.setup
function init(args)
  c.seed()
  local reqs = {}
  for _, id in ipairs(c.split(c.info().detail_ids, ",")) do
    reqs[#reqs + 1] = wrk.format("GET", "/api/v1/discussions/" .. id)
  end
  next_request = c.serve(reqs)
end
function request() return next_request() end
