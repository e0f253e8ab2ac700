-- eligibility.lua: GET /api/v1/discussions/{id}/eligibility, logged in:
-- every request as another citizen (session cookie from sessions.tsv) on
-- the open discussion whose territory holds that citizen's verified
-- residence. Thread t takes the sessions t, t + threads, ... of its slice.
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

local next_request
setup = c.setup
function init(args)
  c.seed()
  local nThread = tonumber(os.getenv("WRK_THREADS") or "2")
  local all = c.sessions()
  local first, last = c.session_slice(#all)
  local reqs = {}
  for i = first + tid, last, nThread do
    local s = all[i]
    reqs[#reqs + 1] = wrk.format("GET", "/api/v1/discussions/" .. s.discussion .. "/eligibility",
                                 {["Cookie"] = "session=" .. s.token})
  end
  next_request = c.serve(reqs, true)
end
function request() return next_request() end
