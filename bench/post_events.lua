-- wrk script: POSTs distinct Flux events (a counter in the message and timestamp) to
-- /hook/bench, so every request is a new event that must be committed before its 202.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
end

request = function()
  counter = counter + 1
  local n = thread_id * 100000000 + counter
  local body = string.format(
    '{"involvedObject":{"kind":"Kustomization","namespace":"flux-system","name":"app-%d","apiVersion":"kustomize.toolkit.fluxcd.io/v1"},' ..
    '"severity":"info","timestamp":"2026-11-24T%02d:%02d:%02dZ","message":"Reconciliation finished in %dms","reason":"ReconciliationSucceeded",' ..
    '"metadata":{"revision":"main@sha1:%s"},"reportingController":"kustomize-controller"}',
    n % 50, math.floor(n / 3600) % 24, math.floor(n / 60) % 60, n % 60, n,
    string.rep(string.format("%08x", n % 1000), 5))
  return wrk.format("POST", "/hook/bench", {["Content-Type"] = "application/json"}, body)
end

local non202 = 0
response = function(status, headers, body)
  if status ~= 202 then non202 = non202 + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
