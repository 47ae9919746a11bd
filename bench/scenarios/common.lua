-- Shared by every scenario script. Requests come from a file in $BENCH_OUT, one JSON body
-- (POST) or one path (GET) per line; each thread starts at its own place and loops over
-- them. Non-2xx responses count as errors. done() prints one parseable RESULT line.
local M = {}

non2xx = 0        -- globals, so done() can read them from each thread with thread:get
first_error = nil

local function read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

local function headers()
  local h = { ["Accept"] = "application/json" }
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then
    h["Authorization"] = "Bearer " .. token
    h["X-PLANNR-ACCOUNT-UUID"] = os.getenv("BENCH_ACCOUNT")
  end
  return h
end

-- name: label for the RESULT line; method: GET or POST; file: request file name;
-- path: the fixed path of a POST (GET paths come from the file).
function M.scenario(name, method, file, path)
  local threads, requests, i = {}, {}, 0

  function setup(thread)
    threads[#threads + 1] = thread
    thread:set("tid", #threads)
  end

  function init(args)
    local h = headers()
    if method == "POST" then h["Content-Type"] = "application/json" end
    for _, item in ipairs(read_lines(os.getenv("BENCH_OUT") .. "/" .. file)) do
      if method == "GET" then
        requests[#requests + 1] = wrk.format("GET", item, h)
      else
        requests[#requests + 1] = wrk.format(method, path, h, item)
      end
    end
    i = ((tid or 1) * 7919) % #requests
  end

  function request()
    i = i % #requests + 1
    return requests[i]
  end

  function response(status, resp_headers, body)
    if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_error == nil then
        first_error = status .. " " .. string.sub(body or "", 1, 300):gsub("%s+", " ")
      end
    end
  end

  function done(summary, latency, _)
    local errors, first = 0, nil
    for _, t in ipairs(threads) do
      errors = errors + (t:get("non2xx") or 0)
      first = first or t:get("first_error")
    end
    local e = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
      "RESULT scenario=%s requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f "
        .. "p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
      name, summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000, errors,
      e.connect + e.read + e.write + e.timeout))
    if first then io.write("FIRST_ERROR scenario=" .. name .. " " .. first .. "\n") end
  end
end

return M
