-- wrk script of tests/bench/comparison.sh: when the run is done, one line of JSON with the
-- latency percentiles (the 95th among them, which `wrk --latency` does not print), the mean and
-- the maximum in milliseconds, the requests, their rate and the errors (wrk's own counts:
-- `status` is the responses that were not 2xx or 3xx). The headers come from wrk's -H.

done = function(summary, latency, requests)
  local parts = {}
  for _, q in ipairs({50, 75, 90, 95, 99}) do
    parts[#parts + 1] = string.format('"p%d_ms": %.3f', q, latency:percentile(q) / 1000)
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {%s, "mean_ms": %.3f, "max_ms": %.3f, "requests": %d, "seconds": %.3f, "rps": %.2f, ' ..
    '"bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    table.concat(parts, ", "), latency.mean / 1000, latency.max / 1000, summary.requests, seconds,
    summary.requests / seconds, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
end
