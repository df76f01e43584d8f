#!/usr/bin/env bash
# Failover, measured (issue 14 §5): the cluster of scripts/cluster.sh (PostgreSQL, 3 silos,
# 2 API instances, each its own process) under a steady mixed load — reads on both APIs, an
# upload every 2 s, a login every second from a new IP — while, in turn:
#
#   1. one silo is killed with SIGKILL                 target: every request succeeds again < 30 s after
#   2. another silo is stopped with SIGTERM             target: < 30 s
#   3. PostgreSQL is stopped for 20 s, then started     target: < 10 s after the database returns
#   4. the two silos are started again (scale up to 3)  target: no failed request
#
# Printed per phase: the answers that were not 2xx, by kind and status (never a 500: 503 with
# Retry-After is the honest answer), seconds until every request succeeds again; then the checks
# that nothing acknowledged was lost: every upload answered 201 downloads byte-exact, every token
# revoked and every IP blocked before the faults is still refused on both APIs. The load generator
# is bench/failover/failover.py (python3, standard library only).
#
# The cluster runs in bench/out/failover (emptied first) with RateLimiting:TrustedProxies =
# 127.0.0.1 (each request names its client in X-Forwarded-For) and every limit and threat
# threshold at 10^9, so that the edge never refuses the load. One command, as root like ./run.sh:
#   bench/failover.sh
# Exit status 0 when the measurement ran (read the verdicts), non-zero on a setup error.
#
# Settings (environment): BENCH_READERS (2 per API), BENCH_WARMUP (20 s), BENCH_DB_DOWN (20 s),
# BENCH_QUIET (15 s without a failure ends a phase), BENCH_WATCH_MAX (120 s per phase),
# BENCH_PG_PORT (55474), BENCH_SILO_PORT (21230), BENCH_GATEWAY_PORT (31130),
# BENCH_DASHBOARD_PORT (18380), BENCH_API_PORT (18370): bases as in scripts/cluster.sh (silo i
# at base+i, API i at base+i), BENCH_START_TIMEOUT (600).
set -euo pipefail
set +m

cd "$(dirname "$(readlink -f "$0")")/.."
root=$PWD
out="$root/bench/out/failover"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

unlimited=1000000000
api_port=${BENCH_API_PORT:-18370}
dashboard_port=${BENCH_DASHBOARD_PORT:-18380}
export SURVEILLANCE_CLUSTER_DIR="$out/cluster"
export CLUSTER_SILOS=3 CLUSTER_APIS=2
export CLUSTER_PG_PORT=${BENCH_PG_PORT:-55474}
export CLUSTER_SILO_PORT=${BENCH_SILO_PORT:-21230}
export CLUSTER_GATEWAY_PORT=${BENCH_GATEWAY_PORT:-31130}
export CLUSTER_DASHBOARD_PORT=$dashboard_port
export CLUSTER_HEALTH_PORT=${BENCH_HEALTH_PORT:-18390}
export CLUSTER_METRICS_PORT=${BENCH_METRICS_PORT:-18400}
export CLUSTER_API_PORT=$api_port
export CLUSTER_START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
cluster="$root/scripts/cluster.sh"

started=0
cleanup() {
    trap - EXIT INT TERM
    if [ "$started" = 1 ]; then
        log "stopping the cluster"
        "$cluster" stop >>"$out/cluster-ops.log" 2>&1 || log "could not stop the cluster: see $out/cluster-ops.log"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

require_tools curl python3 ffmpeg dotnet
urls=()
for i in 1 2; do urls+=("http://127.0.0.1:$((api_port + i))/health/live"); done
for i in 1 2 3; do urls+=("http://127.0.0.1:$((dashboard_port + i))/health/live"); done
require_nothing_running "${urls[@]}"
if [ -f "$SURVEILLANCE_CLUSTER_DIR/postgres/postmaster.pid" ]; then "$cluster" stop >/dev/null 2>&1 || true; fi
fresh_out_dir
password=$(random_password)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# A small real video (2 s, 320x240 H.264): the bytes of every upload, plus 32 random ones.
ffmpeg -v error -f lavfi -i "testsrc2=size=320x240:rate=25" -t 2 -c:v libx264 -preset veryfast \
    -pix_fmt yuv420p -y "$out/video.mp4" || die "ffmpeg could not make the video"

cat <<INFO
Failover under load: 3 silos, 2 API instances, PostgreSQL (scripts/cluster.sh)
$(describe_machine)
  software: $(uname -sr), .NET SDK $(dotnet --version)
  load average at start: $load_start
INFO

# Every node, also those started again during the run (cluster.sh start silo2 silo3), gets this.
export SURVEILLANCE_ADMIN_PASSWORD="$password" RateLimiting__TrustedProxies__0=127.0.0.1 \
    RateLimiting__Rules__default__Limit=$unlimited RateLimiting__Rules__login__Limit=$unlimited \
    RateLimiting__Rules__upload__Limit=$unlimited RateLimiting__Rules__search__Limit=$unlimited \
    RateLimiting__Rules__frames__Limit=$unlimited Threats__MaxThreats=$unlimited \
    Threats__MaxFailedLogins=$unlimited Threats__LoginStormFailuresPerMinute=$unlimited \
    Threats__Allowlist__0=127.0.0.1
# bcrypt at its floor (10) and a longer wait for a hashing slot: on 2 cores the default work
# factor makes a login a second's CPU, and the shed-load 503s of the hashing budget would mix
# with the faults' errors. The faults, not the password hashing, are measured here.
export Auth__BcryptWorkFactor=10 Auth__HashingWaitMilliseconds=5000
log "starting the cluster (builds Release first; log: $out/cluster-ops.log)"
started=1
"$cluster" start >>"$out/cluster-ops.log" 2>&1 || { tail -n 40 "$out/cluster-ops.log" >&2; die "the cluster did not start"; }

silo_port=$CLUSTER_SILO_PORT
config=$(python3 -c 'import json, sys; a = sys.argv; print(json.dumps(dict(
    apis=[f"http://127.0.0.1:{int(a[1]) + i}" for i in (1, 2)], out=a[2], cluster_script=a[3], run_dir=a[4], video=a[5],
    admin_password=a[6], readers=a[7], warmup=a[8], db_down=a[9], quiet=a[10], watch_max=a[11],
    dashboards=[f"http://127.0.0.1:{int(a[12]) + i}" for i in (1, 2, 3)], silo_ports=[int(a[13]) + i for i in (1, 2, 3)])))' \
    "$api_port" "$out" "$cluster" "$SURVEILLANCE_CLUSTER_DIR/run" "$out/video.mp4" "$password" "${BENCH_READERS:-2}" \
    "${BENCH_WARMUP:-20}" "${BENCH_DB_DOWN:-20}" "${BENCH_QUIET:-15}" "${BENCH_WATCH_MAX:-120}" "$dashboard_port" "$silo_port")

log "load and faults (about 4-6 minutes)"
python3 "$root/bench/failover/failover.py" "$config" | tee "$out/summary.txt"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'load average at start: %s; at end: %s (%s CPUs; above that, other processes competed with the run)\n' \
    "$load_start" "$load_end" "$(nproc)" | tee -a "$out/summary.txt"
# Where the project's search index was loaded (each activation logs it), from the silos' logs.
printf 'search index of the project loaded (in log order per silo):\n' | tee -a "$out/summary.txt"
for log_file in "$SURVEILLANCE_CLUSTER_DIR"/logs/silo*.log; do
    grep -B1 --no-group-separator "Search index of project failover loaded" "$log_file" | paste -d' ' - - \
        | awk -v silo="$(basename "$log_file" .log)" '{ line = $0; sub(/^(.* )?info:[^]]*\] +/, "", line); print "  " silo " " line }'
done | tee -a "$out/summary.txt" || true
printf 'logs: %s/cluster/logs; every request: %s/requests.tsv\n' "$out" "$out"
