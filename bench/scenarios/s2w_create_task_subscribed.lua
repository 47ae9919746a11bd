-- S2 again, with a webhook subscription on every event (bench/webhooks.py receives them).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S2W", "POST", "s2.txt", "/api/v1/task")
