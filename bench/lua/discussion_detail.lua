-- discussion_detail.lua: GET /api/v1/discussions/{id} over the 64 public
-- discussions of city.info's detail_ids (the general plan first).
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

c.scenario(function()
  local reqs = {}
  for _, id in ipairs(c.split(c.info().detail_ids, ",")) do
    reqs[#reqs + 1] = wrk.format("GET", "/api/v1/discussions/" .. id)
  end
  return reqs
end)
