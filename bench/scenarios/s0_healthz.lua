-- S0: GET /healthz, the server floor (no database, no auth).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S0", "GET", "s0.txt")
