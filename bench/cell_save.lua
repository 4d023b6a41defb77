-- wrk: save matrix cells over and over, as htmx does (POST, HX-Request), going
-- round the roles of the large playbook (people edit different rows), with
-- values alternating so that every request changes its row.
-- WIIFM_CELLS: "path|field;path|field;..." (field as the form names it);
-- WIIFM_CSRF: the token, also set as the csrftoken cookie by bench_load.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local cells = {}
for path, field in string.gmatch(os.getenv("WIIFM_CELLS"), "([^|;]+)|([^;]+)") do
  cells[#cells + 1] = {path = path, field = field}
end
local token = os.getenv("WIIFM_CSRF")
local counter = 0

request = function()
  counter = counter + 1
  local cell = cells[counter % #cells + 1]
  local body = cell.field .. "=" .. (40 + math.floor(counter / #cells) % 2)
  -- wrk.format replaces wrk.headers (the cookies given with -H) when given
  -- headers of its own: start from them.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["HX-Request"] = "true"
  headers["X-CSRFToken"] = token
  return wrk.format("POST", cell.path, headers, body)
end
