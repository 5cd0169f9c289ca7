-- Shared by the intake scripts: counts answers by status and prints one machine-readable summary line for
-- Benchmarks/run. Loaded with dofile from the script's own folder.
created, busy, limited, other = 0, 0, 0, 0  -- globals: done() reads them with thread:get
threads = {}  -- global: a script that loads this may number its threads by it
function setup(thread) table.insert(threads, thread) end
function init(args) created, busy, limited, other = 0, 0, 0, 0 end
function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 503 then busy = busy + 1
  elseif status == 429 then limited = limited + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, b, l, o = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created"); b = b + t:get("busy"); l = l + t:get("limited"); o = o + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d created=%d busy_503=%d limited_429=%d other_status=%d seconds=%.3f rps=%.1f created_rps=%.1f " ..
    "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f socket_errors=%d timeouts=%d\n",
    summary.requests, c, b, l, o, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    c / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.timeout))
end
