-- ogc_items.lua: GET /ogc/collections/comments/items?bbox=...&limit=100,
-- the open-data layer of all 1,000,000 published comments, over the 16
-- boxes of city.info's ogc_bboxes (about 100 features each).
-- mapserver_ogc_items.lua sends the same requests to MapServer (OGC_ITEMS).
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

c.scenario(function()
  local reqs = {}
  for _, bbox in ipairs(c.split(c.info().ogc_bboxes, ";")) do
    reqs[#reqs + 1] = wrk.format("GET", (OGC_ITEMS or "/ogc/collections/comments/items?") ..
                                 "bbox=" .. bbox .. "&limit=100")
  end
  return reqs
end)
