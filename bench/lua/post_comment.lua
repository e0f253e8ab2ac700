-- post_comment.lua: POST /api/v1/discussions/{id}/comments as many
-- different eligible citizens: each request takes the next session of this
-- thread's share of the slice (cookie and X-CSRF-Token from sessions.tsv)
-- and sends {kind, body, location} with a point inside that discussion's
-- territory. A citizen may send KG_COMMENT_RATE_MAX (10) a minute: a slice
-- of S sessions carries 10 * S requests in a run shorter than a minute
-- before 429s appear; bench/run gives each POST run its own slice. Prints
-- the statuses seen ("STATUS 201=... 429=...").
package.path = (os.getenv("BENCH_LUA") or "bench/lua") .. "/?.lua;" .. package.path
local c = require("common")

local bodies = {
  "Предлагаю сохранить деревья во дворе и добавить освещение.",
  "Прошу предусмотреть пешеходный переход и светофор у школы.",
  "Против увеличения этажности: не более пяти этажей.",
  "Нужна детская площадка и скамейки в сквере.",
  "Просим сохранить зелёную зону вдоль набережной.",
  "Предлагаю перенести контейнерную площадку от окон жилого дома.",
  "Нужна велодорожка до остановки общественного транспорта.",
  "Вопрос: где будет парковка для жителей квартала?",
}
local kinds = {"proposal", "proposal", "remark", "question"}

c.scenario(function()
  local reqs = {}
  for _, s in ipairs(c.thread_sessions()) do
    local body = string.format(
      '{"kind":"%s","body":"%s","location":{"type":"Point","coordinates":[%s,%s]}}',
      kinds[math.random(#kinds)], bodies[math.random(#bodies)], s.lon, s.lat)
    reqs[#reqs + 1] = wrk.format("POST", "/api/v1/discussions/" .. s.discussion .. "/comments",
                                 {["Cookie"] = "session=" .. s.token,
                                  ["X-CSRF-Token"] = s.csrf,
                                  ["Content-Type"] = "application/json"}, body)
  end
  return reqs
end, true)
response = c.count_statuses()
done = c.done
