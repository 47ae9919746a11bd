-- S6: GET /api/v1/task?filter[name]=<word>, words each in a sixth of the task names,
-- as the owner of the large firm.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S6", "GET", "s6.txt")
