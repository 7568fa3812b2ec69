-- wrk script for `pipeline bench`: POSTs GetCourse «Вызвать URL» registrations, each with a user
-- of its own (so every request is a distinct event), optionally paced, and prints one line of
-- figures the bench parses. Arguments: <secret> <user prefix> <pause per request in ms, 0 = none>.
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  secret = args[1] or "bench-secret"
  prefix = (args[2] or "w") .. "-" .. thread_id .. "-"
  pause = tonumber(args[3] or "0")
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format("POST", "/gc/bench-school/user?secret=" .. secret .. "&user_id=" .. prefix .. sent ..
    "&utm_source=yandex&utm_campaign=load&utm_content=ad1&created_at=2026-11-20+10%3A00%3A00")
end

function delay()
  return pause
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
