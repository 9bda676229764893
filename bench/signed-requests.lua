-- wrk script for bench/ack.ts: replays pre-signed Slack slash-command requests (one per line:
-- timestamp, signature, body, tab-separated), each wrk thread taking every Nth line so no two
-- threads send the same trigger_id.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
local index = 0

function init(args)
  local file, count = args[1], tonumber(args[2])
  local line_number = 0
  for line in io.lines(file) do
    if line_number % count == id then
      local timestamp, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/slack/events", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Slack-Request-Timestamp"] = timestamp,
        ["X-Slack-Signature"] = signature,
      }, body)
    end
    line_number = line_number + 1
  end
end

function request()
  index = index + 1
  if index > #requests then index = 1 end
  return requests[index]
end
