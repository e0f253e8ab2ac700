-- common.lua: shared by the wrk scenarios of bench/run. Reads the data
-- set's parameters (BENCH_INFO, key=value lines written by bench-gen-city)
-- and the sessions file (BENCH_SESSIONS: token, csrf, discussion id, lon,
-- lat per line), numbers wrk's threads, and seeds each thread's random
-- numbers from BENCH_SEED and its number, so every run asks the same
-- sequence of URLs. Each scenario builds its requests once in init() and
-- request() hands them out.
local M = {}

function M.info()
  local t = {}
  local path = os.getenv("BENCH_INFO") or "bench/data/city.info"
  local f = assert(io.open(path, "r"), "cannot read " .. path)
  for line in f:lines() do
    local k, v = line:match("^([%w_]+)=(.*)$")
    if k then t[k] = v end
  end
  f:close()
  return t
end

function M.split(s, sep)
  local out = {}
  for part in (s .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do
    if part ~= "" then out[#out + 1] = part end
  end
  return out
end

-- Sessions first..last (1-based, inclusive; nil: all) of the file.
function M.sessions(first, last)
  local path = os.getenv("BENCH_SESSIONS") or "bench/data/sessions.tsv"
  local f = assert(io.open(path, "r"), "cannot read " .. path)
  local out, n = {}, 0
  for line in f:lines() do
    n = n + 1
    if (not first or n >= first) and (not last or n <= last) then
      local tok, csrf, did, lon, lat = line:match("^(%S+)\t(%S+)\t(%d+)\t(%S+)\t(%S+)$")
      if tok then
        out[#out + 1] = {token = tok, csrf = csrf, discussion = did, lon = lon, lat = lat}
      end
    end
  end
  f:close()
  return out
end

-- The slice SLICE (0-based) of SLICES equal parts of the sessions file:
-- runs that write use different accounts, so that the per-account rate
-- limit (KG_COMMENT_RATE_MAX a minute) of one run does not meet another's.
function M.session_slice(total)
  local nSlice = tonumber(os.getenv("SLICES") or "1")
  local iSlice = tonumber(os.getenv("SLICE") or "0")
  local per = math.floor(total / nSlice)
  return iSlice * per + 1, (iSlice + 1) * per
end

-- wrk calls setup() once per thread in the main Lua state: give each
-- thread its number (0..), and keep the threads for done().
M.threads = {}
local nextId = 0
function M.setup(thread)
  thread:set("tid", nextId)
  nextId = nextId + 1
  M.threads[#M.threads + 1] = thread
end

function M.seed()
  local s = tonumber(os.getenv("BENCH_SEED") or "1")
  math.randomseed(s * 1000 + (tid or 0))
end

-- A request() that returns the prepared requests in a random order (the
-- same order on every run) or, with bInOrder, one after the other.
function M.serve(reqs, bInOrder)
  local n, i = #reqs, 0
  if bInOrder then
    return function()
      i = i % n + 1
      return reqs[i]
    end
  end
  return function()
    return reqs[math.random(n)]
  end
end

-- Makes the calling script a wrk scenario: setup() numbers the threads,
-- init() seeds the thread's random numbers and calls build() once for the
-- list of prepared requests, request() hands them out (M.serve).
function M.scenario(build, bInOrder)
  local next_request
  setup = M.setup
  init = function(args)
    M.seed()
    next_request = M.serve(build(), bInOrder)
  end
  request = function() return next_request() end
end

-- This thread's sessions of the run's slice: thread t of WRK_THREADS takes
-- the sessions t, t + threads, ... (each request as another citizen).
function M.thread_sessions()
  local nThread = tonumber(os.getenv("WRK_THREADS") or "2")
  local all = M.sessions()
  local first, last = M.session_slice(#all)
  local out = {}
  for i = first + tid, last, nThread do out[#out + 1] = all[i] end
  return out
end

-- Counts of the response statuses in this thread (response() callback)
-- and a done() that prints them over all threads as one line:
-- "STATUS 201=1234 429=5".
function M.count_statuses()
  counts = {}
  return function(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
  end
end

function M.done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(M.threads) do
    local c = t:get("counts")
    if c then
      for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
    end
  end
  local keys = {}
  for k in pairs(total) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. total[k] end
  if #parts > 0 then io.write("STATUS " .. table.concat(parts, " ") .. "\n") end
end

return M
