-- wrk script: GET a staff URL with a bearer token (BENCH_TOKEN), print a summary line.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")

ok, other = 0, 0  -- globals: done() reads them with thread:get
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok, other = 0, 0 end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("ok"); o = o + t:get("other") end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d ok=%d other_status=%d seconds=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f socket_errors=%d\n",
    summary.requests, c, o, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout))
end
