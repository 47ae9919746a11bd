-- S2: POST /api/v1/task, the seed body: plan, parent, 2 assignees, 2 groups, a pet.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S2", "POST", "s2.txt", "/api/v1/task")
