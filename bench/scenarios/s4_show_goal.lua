-- S4: GET /api/v2/goals/{uuid}, rotating over many goals of the large firm.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S4", "GET", "s4.txt")
