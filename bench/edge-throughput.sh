#!/usr/bin/env bash
# Edge throughput: authenticated GET /auth/me through the whole API (request id, edge guard with
# its per-IP grain leases, intrusion detection, JwtBearer plus the revocation grain call, the
# user grain) against a minimal ASP.NET Core app with only JwtBearer and the built-in per-IP
# sliding-window limiter (bench/baseline), on the same machine in the same run, each warmed up
# first. Targets: req/s at least 0.5 x the baseline's, p99 within 3 x the baseline's p99.
#
# Starts its own system with ./run.sh in a throw-away directory (bench/out/edge, git-ignored) on
# ports that do not collide with a developer's ./run.sh, with every rate limit and threat
# threshold out of reach, and stops it at the end. Exit status: 0 when the measurement ran
# (whether or not the targets were met: see the verdict), non-zero on a setup error.
#
# Settings (environment):
#   BENCH_THREADS / BENCH_CONNECTIONS   wrk threads and connections (2 / 32)
#   BENCH_WARMUP / BENCH_DURATION       wrk durations of the warm-up and the measurement (70s / 20s);
#                       the warm-up outlasts the 60 s window of the 'default' rate-limit rule, so
#                       the measurement sees each limiter in its steady state, with a full window
#   BENCH_API_PORT      the API's port (18080); the silo uses BENCH_API_PORT+1 for its dashboard
#   BENCH_BASELINE_PORT the baseline's port (8099)
#   BENCH_PG_PORT       the throw-away PostgreSQL's port (55470)
#   BENCH_START_TIMEOUT seconds allowed for build and start-up of the system (900)
set -euo pipefail
# No job control: a background job then stays in our process group, so setsid below starts
# run.sh in its own session without forking, and $! is run.sh itself.
set +m

cd "$(dirname "$(readlink -f "$0")")/.."
root=$PWD
out="$root/bench/out/edge"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

threads=${BENCH_THREADS:-2}
connections=${BENCH_CONNECTIONS:-32}
warmup=${BENCH_WARMUP:-70s}
duration=${BENCH_DURATION:-20s}
api_port=${BENCH_API_PORT:-18080}
dashboard_port=$((api_port + 1))
baseline_port=${BENCH_BASELINE_PORT:-8099}
pg_port=${BENCH_PG_PORT:-55470}
start_timeout=${BENCH_START_TIMEOUT:-900}

api="http://127.0.0.1:$api_port"
baseline="http://127.0.0.1:$baseline_port"
baseline_dll="$root/bench/baseline/bin/Release/net10.0/Baseline.dll"

system_pid=""
baseline_pid=""

cleanup() {
    trap - EXIT INT TERM
    if [ -n "$baseline_pid" ]; then stop_pid baseline "$baseline_pid" 15; fi
    # run.sh stops the API, the silo and its PostgreSQL on SIGTERM (15 s each at most).
    if [ -n "$system_pid" ]; then stop_pid "system (run.sh)" "$system_pid" 120; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wrk against URL with TOKEN; its report goes to FILE. Any non-2xx answer spoils the figures
# (a 429 or 401 is cheaper than a 200), so it is a setup error, not a result.
run_wrk() {
    local url=$1 token=$2 length=$3 file=$4
    wrk -t"$threads" -c"$connections" -d"$length" --latency \
        -H "Authorization: Bearer $token" "$url/auth/me" >"$file" 2>&1 \
        || { cat "$file" >&2; die "wrk failed against $url"; }
    if grep -q 'Non-2xx or 3xx responses' "$file"; then
        cat "$file" >&2
        die "$url/auth/me answered something other than 2xx during the run (a rate limit or the token?)"
    fi
    grep -q '^Requests/sec:' "$file" || { cat "$file" >&2; die "no figures in wrk's report ($file)"; }
}

require_tools wrk curl python3 dotnet
require_nothing_running "$api/health/live" "http://127.0.0.1:$dashboard_port/health/live" "$baseline/token"
fresh_out_dir
password=$(random_password)

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cat <<EOF
Edge throughput: GET /auth/me, authenticated, wrk -t$threads -c$connections, warm-up $warmup, measured $duration
$(describe_machine)
  software: $(uname -sr), .NET SDK $(dotnet --version), $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)
  load average at start: $load_start
EOF

log "building the baseline (Release)"
dotnet build "$root/bench/baseline/Baseline.csproj" -c Release -nologo -v quiet >"$out/baseline-build.log" 2>&1 \
    || { cat "$out/baseline-build.log" >&2; die "the baseline did not build"; }
[ -f "$baseline_dll" ] || die "$baseline_dll is missing after the build"

log "starting the baseline on $baseline"
# Own session, so that a Ctrl-C reaches only this script, which then stops everything once.
(cd "$(dirname "$baseline_dll")" && exec setsid dotnet "$baseline_dll" --urls "$baseline") >"$out/baseline.log" 2>&1 &
baseline_pid=$!
wait_healthy baseline "$baseline_pid" "$baseline/token" 60 "$out/baseline.log"

start_system "$pg_port" "$dashboard_port" "${BENCH_SILO_PORT:-21111}" "${BENCH_GATEWAY_PORT:-31000}" "$password"

log "logging in"
our_token=$(curl -fsS -X POST "$api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" | json_field access_token) \
    || die "could not log in as admin at $api/auth/login"
base_token=$(curl -fsS "$baseline/token" | json_field access_token) || die "no token from $baseline/token"
curl -fsS -o /dev/null -H "Authorization: Bearer $our_token" "$api/auth/me" || die "$api/auth/me refused the token"
curl -fsS -o /dev/null -H "Authorization: Bearer $base_token" "$baseline/auth/me" || die "$baseline/auth/me refused the token"

log "surveillance API: warm-up $warmup"
run_wrk "$api" "$our_token" "$warmup" "$out/wrk-ours-warmup.txt"
log "surveillance API: measuring $duration"
run_wrk "$api" "$our_token" "$duration" "$out/wrk-ours.txt"
log "baseline: warm-up $warmup"
run_wrk "$baseline" "$base_token" "$warmup" "$out/wrk-baseline-warmup.txt"
log "baseline: measuring $duration"
run_wrk "$baseline" "$base_token" "$duration" "$out/wrk-baseline.txt"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$out"/wrk-{ours,baseline}.txt "$out"/wrk-{ours,baseline}-warmup.txt <<'PY' | tee "$out/summary.txt"
import re, sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}

def parse(path):
    text = open(path).read()
    figures = {"rps": float(re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M).group(1)),
               "requests": int(re.search(r"^\s*(\d+) requests in", text, re.M).group(1))}
    for pct in ("50", "99"):
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M).groups()
        figures["p" + pct] = float(value) * UNITS[unit]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    figures["errors"] = sum(map(int, errors.groups())) if errors else 0
    return figures

ours, base = parse(sys.argv[1]), parse(sys.argv[2])
ours["warmup"], base["warmup"] = parse(sys.argv[3])["rps"], parse(sys.argv[4])["rps"]
rps_ratio = ours["rps"] / base["rps"]
p99_ratio = ours["p99"] / base["p99"]
print()
print(f"{'':22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}{'sock err':>10}{'warm-up req/s':>15}")
for name, f in (("surveillance API", ours), ("baseline (bench/)", base)):
    print(f"{name:22}{f['rps']:>10.0f}{f['p50']:>10.2f}{f['p99']:>10.2f}{f['requests']:>10}{f['errors']:>10}{f['warmup']:>15.0f}")
print(f"{'ours / baseline':22}{rps_ratio:>10.2f}{'':>10}{p99_ratio:>10.2f}")
print(f"{'target':22}{'>= 0.50':>10}{'':>10}{'<= 3.00':>10}")
print(f"{'verdict':22}{'PASS' if rps_ratio >= 0.5 else 'FAIL':>10}{'':>10}{'PASS' if p99_ratio <= 3.0 else 'FAIL':>10}")
PY
printf 'load average at start: %s; at end: %s (%s CPUs; above that, other processes competed with the run)\n' \
    "$load_start" "$load_end" "$(nproc)" | tee -a "$out/summary.txt"
printf 'wrk reports: %s/wrk-*.txt\n' "$out"
