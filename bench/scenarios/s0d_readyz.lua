-- S0D: GET /readyz, the floor of a request that makes one database round trip
-- (`SELECT 1` on a pooled connection; no auth, nothing to render).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S0D", "GET", "s0d.txt")
