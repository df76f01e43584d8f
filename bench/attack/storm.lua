-- Credential stuffing from a botnet: failed logins, every one from a new IPv4 address, so that
-- no address comes near its own login limit.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local n = 0

function request()
   n = n + 1
   local address = string.format("100.%d.%d.%d", 64 + tid, math.floor(n / 256) % 256, n % 256)
   local body = string.format('{"username":"victim%d","password":"guess-%d"}', n % 1000, n)
   return wrk.format("POST", "/auth/login", { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = address }, body)
end
