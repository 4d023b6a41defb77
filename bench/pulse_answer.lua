-- wrk: a burst of pulse answers, as browsers post them (a plain form, no
-- cookie), going round the links of the bench's roles. Each thread stops
-- once it has its share of WIIFM_REQUESTS answers back, so the run is that
-- many answers whatever the speed. An answer is stored when the page
-- redirects to its thanks page (302): any other status counts as an error.
-- WIIFM_LINKS: "/p/<token>/;/p/<token>/;..."; WIIFM_REQUESTS: the total;
-- WIIFM_THREADS: wrk's -t; WIIFM_CLIENTS: wrk's -c.
local links = {}
for path in string.gmatch(os.getenv("WIIFM_LINKS"), "([^;]+)") do
  links[#links + 1] = path
end
local threads = {}

setup = function(thread)
  thread:set("offset", #threads * 7)
  threads[#threads + 1] = thread
end

quota = math.ceil(tonumber(os.getenv("WIIFM_REQUESTS")) / tonumber(os.getenv("WIIFM_THREADS")))
answered, refused, counter = 0, 0, 0

request = function()
  counter = counter + 1
  local n = counter + offset
  local body = string.format(
    "cost_minutes=%d&saved_minutes=%d&got_back=%d&comment=%s",
    (n * 7) % 120, (n * 11) % 150, n % 5 + 1, n % 3 == 0 and "Fewer+mandatory+fields" or "")
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", links[n % #links + 1], headers, body)
end

response = function(status, headers, body)
  answered = answered + 1
  if status < 300 or status >= 400 then refused = refused + 1 end
  if answered >= quota then wrk.thread:stop() end
end

done = function(summary, latency, requests)
  local not_stored = 0
  for _, thread in ipairs(threads) do not_stored = not_stored + thread:get("refused") end
  -- A status of 400 or more is both in summary.errors.status and in not_stored.
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + not_stored
  -- wrk waits out its whole -d even when every thread has stopped, so its
  -- duration says nothing here. With every client always waiting for one
  -- answer, the burst lasted about requests x mean latency / clients
  -- (Little's law).
  local seconds = summary.requests * latency.mean / 1e6 / tonumber(os.getenv("WIIFM_CLIENTS"))
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "errors": %d}\n',
    summary.requests, seconds, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, errors))
end
