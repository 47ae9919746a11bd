-- S5: GET /api/v2/goals?filter[circle_uuids]=..., rotating over circles.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S5", "GET", "s5.txt")
