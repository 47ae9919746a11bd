-- S8: GET /api/v2/goals, the default goal list, as a member employee of the large firm.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S8", "GET", "s8.txt")
