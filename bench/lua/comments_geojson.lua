-- comments_geojson.lua: GET /api/v1/discussions/{id}/comments.geojson?bbox=
-- on the general plan discussion (120,000 located comments) over the 16
-- boxes of city.info's geojson_bboxes, each holding about 100 of them.
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

c.scenario(function()
  local info = c.info()
  local reqs = {}
  for _, bbox in ipairs(c.split(info.geojson_bboxes, ";")) do
    reqs[#reqs + 1] = wrk.format("GET", "/api/v1/discussions/" .. info.big_discussion ..
                                 "/comments.geojson?bbox=" .. bbox)
  end
  return reqs
end)
