-- Authenticated reads, every request from a new client: an IPv6 address in its own /64 (an
-- address-rotating flood; one /64 alone holds 2^64 addresses).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local token = "Bearer " .. os.getenv("BENCH_TOKEN")
local n = 0

function request()
   n = n + 1
   local address = string.format("2001:db8:%x:%x::1", 0x100 * tid + math.floor(n / 65536) % 0x100, n % 65536)
   return wrk.format("GET", "/auth/me", { ["Authorization"] = token, ["X-Forwarded-For"] = address })
end
