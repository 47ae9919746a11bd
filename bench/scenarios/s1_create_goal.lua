-- S1: POST /api/v2/goals, the seed body: 3 client owners, 3 circles each holding one.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S1", "POST", "s1.txt", "/api/v2/goals")
