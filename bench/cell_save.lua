-- wrk: save one matrix cell over and over, as htmx does (POST, HX-Request),
-- alternating between two values so that every request changes the row.
-- WIIFM_CELL_FIELD is the form field (c<role>-headcount), WIIFM_CSRF the token
-- also set as the csrftoken cookie by bench_load.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local field = os.getenv("WIIFM_CELL_FIELD")
local token = os.getenv("WIIFM_CSRF")
local counter = 0

request = function()
  counter = counter + 1
  local body = field .. "=" .. (40 + counter % 2)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["HX-Request"] = "true",
    ["X-CSRFToken"] = token,
  }, body)
end
