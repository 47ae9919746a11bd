-- S3: GET /api/v1/task, open tasks assigned to me due before a date, by due date,
-- as a member employee of the large firm.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua").scenario("S3", "GET", "s3.txt")
