-- wrk script for scripts/bench-http.sh: each request records a contact on a new child
-- (POST /v1/children/{id}/commands, fd.contact_received), a durable command through the whole
-- pipeline. Child ids are unique per run (the first wrk argument is a run nonce) and thread.
-- Usage: wrk -s scripts/wrk/commands.lua URL -- NONCE TOKEN
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  nonce = args[1] or "run"
  token = args[2] or ""
  counter = 0
  errors = 0
end

function request()
  counter = counter + 1
  local child = "wrk-" .. nonce .. "-" .. tid .. "-" .. counter
  local body = '{"action":"fd.contact_received","occurred_at":"2026-09-01T09:12:00Z","params":{"source":"school"}}'
  return wrk.format("POST", "/v1/children/" .. child .. "/commands",
                    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 then errors = errors + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("errors") end
  io.write(string.format("NON201 %d\n", bad))
end
