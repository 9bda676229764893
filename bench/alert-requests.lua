-- wrk script for bench/alerts.ts: POSTs a JSON template with its placeholders filled in, and keeps
-- track of which requests were answered with the expected status, so that the bench can check
-- afterwards that each acknowledged alert was stored. Run wrk with as many threads as connections
-- (-t20 -c20): a thread then has one connection and one request in flight, and the response it
-- reads answers the request it sent last.
--
-- args: template file, path, run name, expected status, requests per thread (0: until -d ends),
--       bearer token ("" for none), base start time (epoch milliseconds), kinds, threads
-- Placeholders: @REQ@ the request's id (<run>-<thread>-<n>), @START@ an RFC 3339 time distinct for
-- every request of the run (base + its number in ms), @K@ the request's number modulo kinds.
-- At the end the ids of the acknowledged requests are written, one per line, to the file named by
-- ALERT_LOAD_ACKED. A thread that has its quota of answers writes <that file>.done-<thread>, so the bench can
-- end wrk (SIGINT: wrk then stops early and still reports) instead of waiting for -d.

local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  template = file:read("*a")
  file:close()
  path = args[2]
  run = args[3]
  expected = tonumber(args[4])
  limit = tonumber(args[5])
  headers = { ["Content-Type"] = "application/json" }
  if args[6] ~= "" then headers["Authorization"] = "Bearer " .. args[6] end
  base = tonumber(args[7])
  kinds = tonumber(args[8])
  nthreads = tonumber(args[9])
  sent = 0
  -- Answers read: the quota counts these, because wrk calls request() once on thread 0 before
  -- the run to check the script (that request is never sent, and is not counted as acknowledged).
  got = 0
  answered = true
  -- Request numbers sent but not acknowledged (another status, or no answer), comma-separated:
  -- scalars only, because thread:get copies tables unreliably.
  unacked = ""
  refused = 0
  complaints = ""
end

function request()
  if not answered then unacked = unacked .. sent .. "," end
  sent = sent + 1
  answered = false
  -- Unique across the run's threads: thread ids are 0 .. threads-1.
  local n = (sent - 1) * nthreads + id
  local ms = base + n
  local start = os.date("!%Y-%m-%dT%H:%M:%S", math.floor(ms / 1000)) .. string.format(".%03dZ", ms % 1000)
  local body = template:gsub("@REQ@", run .. "-" .. id .. "-" .. sent)
    :gsub("@START@", start)
    :gsub("@K@", tostring(n % kinds))
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  answered = true
  got = got + 1
  if status ~= expected then
    unacked = unacked .. sent .. ","
    refused = refused + 1
    if #complaints < 400 then complaints = complaints .. status .. " " .. body:sub(1, 160) .. "\n" end
  end
  if limit > 0 and got >= limit then
    local marker = assert(io.open(os.getenv("ALERT_LOAD_ACKED") .. ".done-" .. id, "w"))
    marker:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("ALERT_LOAD_ACKED"), "w"))
  local total_refused = 0
  for _, thread in ipairs(threads) do
    local id, sent, run = thread:get("id"), thread:get("sent"), thread:get("run")
    local skip = {}
    for n in string.gmatch(thread:get("unacked"), "(%d+),") do skip[tonumber(n)] = true end
    if not thread:get("answered") then skip[sent] = true end
    for n = 1, sent do
      if not skip[n] then out:write(run, "-", id, "-", n, "\n") end
    end
    total_refused = total_refused + thread:get("refused")
    io.stderr:write(thread:get("complaints"))
  end
  out:close()
  io.write(string.format("ACKED_FILE_WRITTEN refused=%d\n", total_refused))
end
