#!/usr/bin/env bash
# Starts a working single-node system in the foreground: a local PostgreSQL (data in ./.data),
# one silo and the API on http://127.0.0.1:8080. Ctrl-C or SIGTERM stops everything this script
# started; running it again keeps all data.
#
# Every environment variable passes through to the silo and the API as configuration
# (e.g. Auth__TokenLifetimeSeconds=600 ./run.sh). Besides those, this script reads:
#   SURVEILLANCE_PG_PORT   port of the local PostgreSQL (default 55432)
#   SURVEILLANCE_PG_DATA   its data dir (default ./.data/postgres)
#   SURVEILLANCE_API_HTTPS=1   the API serves HTTPS itself on https://127.0.0.1:8443 with the
#                          development certificate .data/certs/https.crt (README "HTTPS at the API")
#   ConnectionStrings__Orleans   when set, that database is used and no local PostgreSQL starts
#   ConnectionStrings__OrleansMigrations   with it: the schema owner's connection, given to the
#                          silo only (without it the silo migrates with ConnectionStrings__Orleans)
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

root=$PWD
data="$root/.data"
pg_data="${SURVEILLANCE_PG_DATA:-$data/postgres}"
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

# shellcheck disable=SC2317  # stop_process and cleanup run from traps
# SIGTERM lets the .NET host shut down gracefully (the silo hands its grains over); a process
# still there after 15 s is killed.
stop_process() {
    local name=$1 pid=$2 i
    kill -0 "$pid" 2>/dev/null || return 0
    log "stopping the $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "the $name did not stop within 15 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317
cleanup() {
    trap - INT TERM EXIT
    if [ -n "$api_pid" ]; then stop_process API "$api_pid"; fi
    if [ -n "$silo_pid" ]; then stop_process silo "$silo_pid"; fi
    # A PostgreSQL that was already running (another run.sh, start-node.sh) is left alone.
    if [ "$PG_STARTED" = 1 ]; then pg_stop "$pg_data"; fi
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

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

# Something already answering there (e.g. a run.sh still running) would pass our health checks
# for services that in fact failed to bind.
for url in "$silo_health" "$api_base/health/live"; do
    if curl -fs -o /dev/null --max-time 2 "$url"; then
        die "something already answers $url: is another ./run.sh running?"
    fi
done

mkdir -p "$data"
if [ -z "${SURVEILLANCE_PG_DATA:-}" ]; then pg_allow_traverse "$data"; fi

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
if ! dotnet build Surveillance.sln -c Release -nologo -v quiet >"$data/build.log" 2>&1 </dev/null; then
    cat "$data/build.log" >&2
    die "the build failed (full output: $data/build.log)"
fi
[ -f "$silo_dll" ] || die "$silo_dll is missing after the build: is silo/ in Surveillance.sln?"
[ -f "$api_dll" ] || die "$api_dll is missing after the build: is api/Surveillance.Api.csproj in Surveillance.sln?"

# The silo applies the schema and, on the very first start, prints the generated admin password
# once on stdout: its output is shown, only prefixed.
log "starting the silo (silo port $Orleans__SiloPort, gateway $Orleans__GatewayPort)"
ClusterTls__CertificatePath="$certs/silo.crt" ClusterTls__KeyPath="$certs/silo.key" \
    ConnectionStrings__OrleansMigrations="$migrations_cs" start_service silo "$silo_dll"
silo_pid=$started_pid
wait_healthy silo "$silo_pid" "$silo_health"

log "starting the API on $api_urls"
ASPNETCORE_URLS="$api_urls" ClusterTls__CertificatePath="$certs/api.crt" ClusterTls__KeyPath="$certs/api.key" \
    start_service api "$api_dll"
api_pid=$started_pid
wait_healthy API "$api_pid" "$api_base/health/live"

cat <<EOF

=====================================================================
 Surveillance is running ($ASPNETCORE_ENVIRONMENT)
   API:        $api_base
   Dashboard:  $dashboard  (loopback only; it has no login of its own)
   Data:       $data
 Stop with Ctrl-C (or: kill $$). Data is kept for the next ./run.sh.
=====================================================================

EOF

# Foreground until a signal arrives (the traps stop everything) or a service exits by itself,
# which leaves the system broken: then stop the rest and report it.
set +e
wait -n -p exited "$silo_pid" "$api_pid"
status=$?
set -e
if [ "${exited:-}" = "$silo_pid" ]; then name=silo; silo_pid=""; else name=API; api_pid=""; fi
log "the $name exited with status $status; stopping the rest"
exit "$((status == 0 ? 1 : status))"
