-- Authenticated reads from one client address (X-Forwarded-For through the trusted 127.0.0.1).
-- BENCH_TOKEN and BENCH_CLIENT_IP come from the environment.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["X-Forwarded-For"] = os.getenv("BENCH_CLIENT_IP")
wrk.path = "/auth/me"
