-- S7: GET /api/v1/task, the default task list, as a member employee of the large firm.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S7", "GET", "s7.txt")
