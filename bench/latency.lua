-- wrk -s bench/latency.lua: one machine-readable line at the end of a run (bench/run reads it).
-- BENCH requests seconds p50_ms p95_ms p99_ms max_ms non2xx socket_errors
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %.3f %.2f %.2f %.2f %.2f %d %d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
