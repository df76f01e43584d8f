#!/usr/bin/env bash
# Starts a working single-node system in the foreground: a local PostgreSQL (data in ./.data),
# one silo and the API on http://127.0.0.1:8080. Ctrl-C or SIGTERM stops everything this script
# started; running it again keeps all data. A silo or API that dies is started again (like a pod
# restart), and PostgreSQL stays up meanwhile: nodes of scripts/start-node.sh keep their database.
#
#   ./run.sh        start, in the foreground
#   ./run.sh stop   stop a running ./run.sh (or what one left behind after kill -9)
#
# What it starts is recorded in run/*.pid beside its database (./.data/run/: pid and start time):
# the next ./run.sh (or ./run.sh stop) stops what an unclean exit (kill -9, an IDE's stop
# button) left running, after checking that each pid is still that very process.
#
# Every environment variable passes through to the silo and the API as configuration
# (e.g. Auth__TokenLifetimeSeconds=600 ./run.sh). Besides those, this script reads:
#   SURVEILLANCE_PG_PORT   port of the local PostgreSQL (default 55432)
#   SURVEILLANCE_PG_DATA   its data dir (default ./.data/postgres; when the PostgreSQL OS user
#                          cannot enter the checkout, e.g. under /root: /var/lib/surveillance/run-<hash>/postgres)
#   SURVEILLANCE_API_HTTPS=1   the API serves HTTPS itself on https://127.0.0.1:8443 with the
#                          development certificate .data/certs/https.crt (README "HTTPS at the API")
#   ConnectionStrings__Orleans   when set, that database is used and no local PostgreSQL starts
#   ConnectionStrings__OrleansMigrations   with it: the schema owner's connection, given to the
#                          silo only (without it the silo migrates with ConnectionStrings__Orleans)
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
# shellcheck source=scripts/pidfiles.sh
source scripts/pidfiles.sh

case "${1:-}" in
    "" | start) command=start ;;
    stop) command=stop ;;
    *) die "usage: $0 [stop]" ;;
esac

root=$PWD
data="$root/.data"
pg_port="${SURVEILLANCE_PG_PORT:-55432}"
pg_db=surveillance
PG_DATA_VARIABLE=SURVEILLANCE_PG_DATA

silo_dll="$root/silo/bin/Release/net10.0/Surveillance.Silo.dll"
api_dll="$root/api/bin/Release/net10.0/Surveillance.Api.dll"
silo_pid=""
api_pid=""
started_pid=""

# First URL of an ASP.NET Core URL list, with a wildcard host replaced by loopback: where curl
# can reach a service that may be listening on all interfaces.
local_url() {
    local url=${1%%;*}
    url=$(sed -E 's#^(https?://)(\*|\+|0\.0\.0\.0|\[::\])(:|/|$)#\1127.0.0.1\3#' <<<"$url")
    printf '%s\n' "${url%/}"
}

# Polls URL until it answers 2xx; fails early if the process already died.
wait_healthy() {
    local name=$1 pid=$2 url=$3 i
    for ((i = 0; i < 120; i++)); do
        curl -fs -o /dev/null --max-time 2 "$url" && return 0
        kill -0 "$pid" 2>/dev/null || die "the $name exited during start-up (its output is above)"
        sleep 0.5
    done
    die "the $name did not answer $url within 60 s"
}

# Starts DLL in the background with its output prefixed by "[NAME] ", and sets started_pid.
# Its working directory is its build output, so that its appsettings.json (copied there) is
# found: the content root is the working directory. The prefixer ignores SIGINT, so that
# Ctrl-C does not cut off the service's shutdown output.
start_service() {
    local name=$1 dll=$2
    (cd "$(dirname "$dll")" && exec dotnet "$dll") > >(trap '' INT; exec sed -u "s/^/[$name] /") 2>&1 &
    started_pid=$!
}

# shellcheck disable=SC2317  # cleanup runs from traps
# SIGTERM lets the .NET host shut down gracefully (the silo hands its grains over); a process
# still there after 15 s is killed (scripts/pidfiles.sh).
stop_process() { stop_pid_gracefully "$1" "$2" 15; }

# shellcheck disable=SC2317
cleanup() {
    trap - INT TERM EXIT
    if [ -n "${build_pid:-}" ]; then kill -TERM "$build_pid" 2>/dev/null || true; fi
    if [ -n "$api_pid" ]; then stop_process API "$api_pid"; fi
    if [ -n "$silo_pid" ]; then stop_process silo "$silo_pid"; fi
    rm -f "$run_dir/api.pid" "$run_dir/silo.pid"
    # A PostgreSQL that was already running (ConnectionStrings__Orleans elsewhere) is left alone.
    if [ "$PG_STARTED" = 1 ]; then pg_stop "$pg_data"; fi
    if [ "$(pidfile_alive "$run_dir/run.pid" 'run\.sh' || true)" = "$$" ]; then rm -f "$run_dir/run.pid"; fi
}

# Stops what an earlier ./run.sh with this data dir started and left behind (it was killed with
# SIGKILL, or its terminal went away): its silo, its API, and PostgreSQL in its data dir.
# A ./run.sh that still runs is not touched here.
stop_leftovers() {
    local pid found=0
    if pid=$(pidfile_alive "$run_dir/api.pid" 'Surveillance\.Api\.dll'); then
        log "an earlier ./run.sh left its API running"
        stop_pid_gracefully API "$pid" 15
        found=1
    fi
    if pid=$(pidfile_alive "$run_dir/silo.pid" 'Surveillance\.Silo\.dll'); then
        log "an earlier ./run.sh left its silo running"
        stop_pid_gracefully silo "$pid" 15
        found=1
    fi
    rm -f "$run_dir/api.pid" "$run_dir/silo.pid"
    # Nothing but ./run.sh starts the PostgreSQL of its data dir: running without a ./run.sh, it
    # is an orphan. Stopped rather than reused, so that this run owns (and stops) what it uses.
    if [ -z "${ConnectionStrings__Orleans:-}" ] && [ -n "$PG_BIN" ] && [ -f "$pg_data/PG_VERSION" ] && _pg_running "$pg_data"; then
        log "PostgreSQL in $pg_data runs without a ./run.sh (left by an unclean exit)"
        pg_stop "$pg_data"
        found=1
    fi
    return $((1 - found))
}

# ./run.sh stop: SIGTERM to the running ./run.sh, which stops the rest itself; then whatever is
# left over (a ./run.sh killed with SIGKILL stops nothing).
stop_instance() {
    local pid stopped=0
    if pid=$(pidfile_alive "$run_dir/run.pid" 'run\.sh'); then
        stop_pid_gracefully "./run.sh" "$pid" 60
        stopped=1
    fi
    if stop_leftovers; then stopped=1; fi
    rm -f "$run_dir/run.pid"
    if [ "$stopped" = 1 ]; then log "stopped"; else log "no ./run.sh of $run_dir is running; nothing to stop"; fi
}

if [ -n "${SURVEILLANCE_PG_DATA:-}" ]; then
    pg_data=$SURVEILLANCE_PG_DATA
else
    pg_parent=$(pg_parent_dir "$root" "$data" /var/lib/surveillance run) || exit 1
    pg_data="$pg_parent/postgres"
fi
# Pid files live beside the database they belong to (./.data/run by default): one ./run.sh per
# database, and a benchmark's ./run.sh (own SURVEILLANCE_PG_DATA) never sees a developer's.
run_dir="$(dirname "$pg_data")/run"

if [ "$command" = stop ]; then
    PG_BIN=$(_find_pg_bin || true)
    stop_instance
    exit 0
fi

if pid=$(pidfile_alive "$run_dir/run.pid" 'run\.sh'); then
    die "another ./run.sh is running (pid $pid) on the database in $pg_data; stop it with: ./run.sh stop"
fi
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT
pidfile_write "$run_dir/run.pid" "$$"

ensure_tools
command -v dotnet >/dev/null \
    || die "dotnet is not installed: this needs the .NET 10 SDK (https://learn.microsoft.com/dotnet/core/install/linux-debian)"

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-$ASPNETCORE_ENVIRONMENT}"
export Storage__DataPath="${Storage__DataPath:-$data}"
export Orleans__SiloPort="${Orleans__SiloPort:-11111}"
export Orleans__GatewayPort="${Orleans__GatewayPort:-30000}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

silo_health="$(local_url "${Silo__DashboardUrl:-http://127.0.0.1:8081}")/health/live"
api_https="${SURVEILLANCE_API_HTTPS:-0}"
if [ "$api_https" = 1 ]; then api_default_url=https://127.0.0.1:8443; else api_default_url=http://127.0.0.1:8080; fi
api_urls="${ASPNETCORE_URLS:-$api_default_url}"
api_base=$(local_url "$api_urls")
dashboard="$(local_url "${Silo__DashboardUrl:-http://127.0.0.1:8081}")/dashboard"

stop_leftovers || true

# Something already answering there (e.g. a run.sh still running) would pass our health checks
# for services that in fact failed to bind.
for url in "$silo_health" "$api_base/health/live"; do
    if curl -fs -o /dev/null --max-time 2 "$url"; then
        die "something already answers $url: is another ./run.sh running?"
    fi
done

mkdir -p "$data"

# Mutual TLS on the Orleans links (README, "Cluster transport security"): a development CA and
# a silo and an API certificate, made on the first start and reused.
certs="$data/certs"
scripts/dev-certs.sh "$certs"
export ClusterTls__CaCertificatePath="$certs/ca.crt"
if [ "$api_https" = 1 ]; then
    export Https__CertificatePath="${Https__CertificatePath:-$certs/https.crt}" Https__KeyPath="${Https__KeyPath:-$certs/https.key}"
    export CURL_CA_BUNDLE="$certs/ca.crt"   # this script's health checks trust the development CA
fi

# Two database roles: the owner's connection (schema migrations) goes to the silo alone, the
# runtime role's to both services (README "Trust boundaries").
migrations_cs=${ConnectionStrings__OrleansMigrations:-}
unset ConnectionStrings__OrleansMigrations
if [ -z "${ConnectionStrings__Orleans:-}" ]; then
    pg_start "$pg_data" "$pg_port"
    pg_ensure_database "$pg_data" "$pg_port" "$pg_db"
    ConnectionStrings__Orleans=$(pg_connection_string "$pg_data" "$pg_port" "$pg_db")
    export ConnectionStrings__Orleans
    migrations_cs=$(pg_owner_connection_string "$pg_data" "$pg_port" "$pg_db")
else
    log "using the database of ConnectionStrings__Orleans; no local PostgreSQL"
fi

log "building (Release)"
# stdin from /dev/null: with a terminal there, the build writes terminal control codes to it.
# In the background and waited for: bash runs a trap only after a foreground command ends, so
# that a SIGTERM (./run.sh stop) during a long build is acted on at once.
dotnet build Surveillance.sln -c Release -nologo -v quiet >"$data/build.log" 2>&1 </dev/null &
build_pid=$!
build_status=0
wait "$build_pid" || build_status=$?
build_pid=""
if [ "$build_status" -ne 0 ]; then
    cat "$data/build.log" >&2
    die "the build failed (full output: $data/build.log)"
fi
[ -f "$silo_dll" ] || die "$silo_dll is missing after the build: is silo/ in Surveillance.sln?"
[ -f "$api_dll" ] || die "$api_dll is missing after the build: is api/Surveillance.Api.csproj in Surveillance.sln?"

# The silo applies the schema and, on the very first start, prints the generated admin password
# once on stdout: its output is shown, only prefixed.
start_silo() {
    log "starting the silo (silo port $Orleans__SiloPort, gateway $Orleans__GatewayPort)"
    ClusterTls__CertificatePath="$certs/silo.crt" ClusterTls__KeyPath="$certs/silo.key" \
        ConnectionStrings__OrleansMigrations="$migrations_cs" start_service silo "$silo_dll"
    silo_pid=$started_pid
    silo_started=$SECONDS
    pidfile_write "$run_dir/silo.pid" "$silo_pid"
}
start_api() {
    log "starting the API on $api_urls"
    ASPNETCORE_URLS="$api_urls" ClusterTls__CertificatePath="$certs/api.crt" ClusterTls__KeyPath="$certs/api.key" \
        start_service api "$api_dll"
    api_pid=$started_pid
    api_started=$SECONDS
    pidfile_write "$run_dir/api.pid" "$api_pid"
}

start_silo
wait_healthy silo "$silo_pid" "$silo_health"
start_api
wait_healthy API "$api_pid" "$api_base/health/live"

cat <<EOF

=====================================================================
 Surveillance is running ($ASPNETCORE_ENVIRONMENT)
   API:        $api_base
   Dashboard:  $dashboard  (loopback only; it has no login of its own)
   Data:       $data
 Stop with Ctrl-C (or: ./run.sh stop). Data is kept for the next ./run.sh.
 A silo or API that dies is started again; PostgreSQL stays up.
=====================================================================

EOF

# Foreground until a signal arrives (the traps stop everything). A service that exits by itself
# is started again, as Kubernetes restarts a pod, while PostgreSQL and the other service keep
# running: one node's death must not take the database from the nodes of scripts/start-node.sh.
# Only a crash loop (5 exits in a row, each within 30 s of its start) stops everything.
silo_quick_exits=0
api_quick_exits=0
while true; do
    exited=""
    set +e
    wait -n -p exited "$silo_pid" "$api_pid"
    status=$?
    set -e
    [ -n "$exited" ] || continue
    if [ "$exited" = "$silo_pid" ]; then
        name=silo
        silo_pid=""
        if ((SECONDS - silo_started < 30)); then silo_quick_exits=$((silo_quick_exits + 1)); else silo_quick_exits=1; fi
        quick=$silo_quick_exits
    else
        name=API
        api_pid=""
        if ((SECONDS - api_started < 30)); then api_quick_exits=$((api_quick_exits + 1)); else api_quick_exits=1; fi
        quick=$api_quick_exits
    fi
    if ((quick >= 5)); then
        log "the $name exited with status $status, the 5th time in a row within 30 s of its start; stopping the rest"
        exit "$((status == 0 ? 1 : status))"
    fi
    delay=$((1 << (quick - 1)))
    log "the $name exited with status $status; starting it again in $delay s (PostgreSQL and the other service keep running)"
    sleep "$delay"
    if [ "$name" = silo ]; then start_silo; else start_api; fi
done
