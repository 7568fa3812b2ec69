-- wrk script for `pipeline-bench`: POSTs GetCourse «Вызвать URL» registrations, each with a user
-- of its own (so every request is a distinct event), optionally paced, and prints one line of
-- figures the bench parses.
-- Arguments: <secret> <user prefix> <pause per request in ms, 0 = none> [<req/s in all> <wrk threads>].
-- With a rate, each thread sends on a fixed schedule (rate / threads, one slot after another) on
-- whichever of its connections is free: an open loop as long as enough connections are idle, unlike
-- a pause after each answer, whose rate falls as latency grows (Debian's wrk has no -R). A request
-- sent more than 1 ms after its slot (every connection was busy) counts as late: then the rate was
-- not reached and wrk's latency leaves out the wait.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local timespec = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

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
  local rate = tonumber(args[4] or "0")
  local thread_count = tonumber(args[5] or "1")
  interval = rate > 0 and thread_count / rate * 1000 or nil -- ms between this thread's slots
  slot = nil
  late = 0
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format("POST", "/gc/bench-school/user?secret=" .. secret .. "&user_id=" .. prefix .. sent ..
    "&utm_source=yandex&utm_campaign=load&utm_content=ad1&created_at=2026-11-20+10%3A00%3A00")
end

function delay()
  if not interval then return pause end
  local now = now_ms()
  slot = slot and slot + interval or now
  local wait = slot - now
  if wait < -1 then late = late + 1 end
  return wait > 0 and math.floor(wait) or 0
end

function done(summary, latency, requests)
  local e = summary.errors
  local all_late = 0
  for _, thread in ipairs(threads) do all_late = all_late + (thread:get("late") or 0) end
  io.write(string.format("BENCH requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p99_us=%d late=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), all_late))
end
