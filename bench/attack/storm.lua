-- Credential stuffing from a botnet: failed logins, every one from a new IPv4 address, so that
-- no address comes near its own login limit.
-- BENCH_STORM_OCTET and BENCH_STORM_USER keep the warm-up's storm apart from the measured one:
-- other addresses (still new to the measured storm) and other (unknown) user names.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local n = 0
local octet = tonumber(os.getenv("BENCH_STORM_OCTET") or "100")
local user = os.getenv("BENCH_STORM_USER") or "victim"

function request()
   n = n + 1
   local address = string.format("%d.%d.%d.%d", octet, 64 + tid, math.floor(n / 256) % 256, n % 256)
   local body = string.format('{"username":"%s%d","password":"guess-%d"}', user, n % 1000, n)
   return wrk.format("POST", "/auth/login", { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = address }, body)
end
