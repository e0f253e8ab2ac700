-- comments_page.lua: GET /api/v1/discussions/{id}/comments?limit=50, the
-- first page of the 16 busiest discussions (city.info's busy_ids: the
-- general plan with 120,000 published comments, then 90,000, 45,000, ...
-- down to about 6,000); half of the requests go to the general plan.
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

c.scenario(function()
  local ids = c.split(c.info().busy_ids, ",")
  local reqs = {}
  for i, id in ipairs(ids) do
    local r = wrk.format("GET", "/api/v1/discussions/" .. id .. "/comments?limit=50")
    reqs[#reqs + 1] = r
    if i == 1 then
      for _ = 2, #ids do reqs[#reqs + 1] = r end
    end
  end
  return reqs
end)
