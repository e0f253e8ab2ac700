-- discussions_list.lua: GET /api/v1/discussions?bbox=... over the 16 map
-- views of city.info's list_bboxes (each meets about 30 discussions; the
-- first page holds up to 50 with their territories).
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

c.scenario(function()
  local reqs = {}
  for _, bbox in ipairs(c.split(c.info().list_bboxes, ";")) do
    reqs[#reqs + 1] = wrk.format("GET", "/api/v1/discussions?bbox=" .. bbox)
  end
  return reqs
end)
