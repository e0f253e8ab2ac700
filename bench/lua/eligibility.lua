-- eligibility.lua: GET /api/v1/discussions/{id}/eligibility, logged in:
-- every request as another citizen (session cookie from sessions.tsv) on
-- the open discussion whose territory holds that citizen's verified
-- residence. Thread t takes the sessions t, t + threads, ... of its slice.
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

c.scenario(function()
  local reqs = {}
  for _, s in ipairs(c.thread_sessions()) do
    reqs[#reqs + 1] = wrk.format("GET", "/api/v1/discussions/" .. s.discussion .. "/eligibility",
                                 {["Cookie"] = "session=" .. s.token})
  end
  return reqs
end, true)
