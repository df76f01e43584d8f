#!/usr/bin/env bash
# A local cluster laid out as Kubernetes pods would be: PostgreSQL, 3 silos and 2 API instances,
# each node its own process with its own ports and its own certificate (OU=silo or OU=api, from
# one development CA), sharing nothing but the database and one data directory (videos and, in
# Development, secrets.json). The nodes run in the background and outlive this script; their
# logs and pid files are under the cluster dir. For trying failover and scaling, and for
# bench/failover.sh.
#
#   scripts/cluster.sh start [NODE...]   start the nodes that are not running (all by default),
#                                        build Release first; waits until each answers its health
#   scripts/cluster.sh stop [NODE...]    stop nodes (all by default: APIs, then silos, then
#                                        PostgreSQL), SIGTERM first, SIGKILL after 30 s
#   scripts/cluster.sh status            one line per node: running or not, pid, ports, health
#
# NODE: postgres, silo1..siloN, api1..apiN. Every other environment variable passes through to
# the nodes as configuration, like ./run.sh (e.g. Auth__TokenLifetimeSeconds=600). Also read:
#   SURVEILLANCE_CLUSTER_DIR  where everything lives (default ./.data/cluster):
#                             data/ (Storage:DataPath of every node), certs/, logs/, run/, postgres/
#   CLUSTER_SILOS, CLUSTER_APIS   node counts (3, 2)
#   CLUSTER_PG_PORT (55440)       PostgreSQL
#   CLUSTER_SILO_PORT (11120), CLUSTER_GATEWAY_PORT (30020), CLUSTER_DASHBOARD_PORT (8280),
#   CLUSTER_HEALTH_PORT (8380), CLUSTER_API_PORT (8180), CLUSTER_METRICS_PORT (9480: silo i
#                                 scrapes on 9480+i, API i on 9490+i)
#                                 bases: silo i uses base+i, API i base+i (silo1: 11121, 30021,
#                                 dashboard 127.0.0.1:8281, health 127.0.0.1:8381;
#                                 api1: http://127.0.0.1:8181)
#   CLUSTER_BUILD (1)             0: use the existing Release build
#   CLUSTER_START_TIMEOUT (300)   seconds a node may take to answer its health check
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
# shellcheck source=scripts/pidfiles.sh
source scripts/pidfiles.sh

root=$PWD
dir=${SURVEILLANCE_CLUSTER_DIR:-$root/.data/cluster}
case $dir in /*) ;; *) dir="$root/$dir" ;; esac
silos=${CLUSTER_SILOS:-3}
apis=${CLUSTER_APIS:-2}
pg_port=${CLUSTER_PG_PORT:-55440}
silo_port=${CLUSTER_SILO_PORT:-11120}
gateway_port=${CLUSTER_GATEWAY_PORT:-30020}
dashboard_port=${CLUSTER_DASHBOARD_PORT:-8280}
health_port=${CLUSTER_HEALTH_PORT:-8380}
metrics_port=${CLUSTER_METRICS_PORT:-9480}
api_port=${CLUSTER_API_PORT:-8180}
start_timeout=${CLUSTER_START_TIMEOUT:-300}
pg_db=surveillance
PG_DATA_VARIABLE=SURVEILLANCE_CLUSTER_DIR
silo_dll="$root/silo/bin/Release/net10.0/Surveillance.Silo.dll"
api_dll="$root/api/bin/Release/net10.0/Surveillance.Api.dll"
certs="$dir/certs"
logs="$dir/logs"
run="$dir/run"

usage() { die "usage: $0 start|stop|status [NODE...]   (NODE: postgres, silo1..silo$silos, api1..api$apis)"; }

all_nodes() {
    local i
    echo postgres
    for ((i = 1; i <= silos; i++)); do echo "silo$i"; done
    for ((i = 1; i <= apis; i++)); do echo "api$i"; done
}

# kind and index of NODE: "silo 2"; dies on a name this cluster does not have.
node_kind() {
    local node=$1
    case $node in
        postgres) echo "postgres 0" ;;
        silo[1-9] | silo[1-9][0-9]) ((${node#silo} <= silos)) || usage; echo "silo ${node#silo}" ;;
        api[1-9] | api[1-9][0-9]) ((${node#api} <= apis)) || usage; echo "api ${node#api}" ;;
        *) usage ;;
    esac
}

node_pattern() {
    case $1 in
        silo) echo 'Surveillance\.Silo\.dll' ;;
        api) echo 'Surveillance\.Api\.dll' ;;
    esac
}

# Where a node is checked: the silo's health port /health/ready (Active in the membership and its
# storage answers), the API's /health/ready (the cluster and the database answer through it).
health_url() {
    case $1 in
        silo) echo "http://127.0.0.1:$((health_port + $2))/health/ready" ;;
        api) echo "http://127.0.0.1:$((api_port + $2))/health/ready" ;;
    esac
}

pg_data_dir() {
    local parent
    parent=$(pg_parent_dir "$root" "$dir" /var/lib/surveillance cluster) || exit 1
    printf '%s/postgres\n' "$parent"
}

node_pid() {
    local kind index
    read -r kind index < <(node_kind "$1")
    pidfile_alive "$run/$1.pid" "$(node_pattern "$kind")"
}

build() {
    [ "${CLUSTER_BUILD:-1}" = 1 ] || return 0
    log "building (Release; log: $dir/build.log)"
    if ! dotnet build "$root/Surveillance.sln" -c Release -nologo -v quiet >"$dir/build.log" 2>&1 </dev/null; then
        cat "$dir/build.log" >&2
        die "the build failed (full output: $dir/build.log)"
    fi
}

# The environment every node shares: one database, one data directory, one CA, and the node
# counts for the start-up check of the connection pools against max_connections.
prepare() {
    ensure_tools
    command -v dotnet >/dev/null || die "dotnet is not installed: this needs the .NET 10 SDK"
    mkdir -p "$dir" "$logs" "$run" "$dir/data"
    pg_data=$(pg_data_dir)
    local names=() i
    for ((i = 1; i <= silos; i++)); do names+=("silo$i=silo"); done
    for ((i = 1; i <= apis; i++)); do names+=("api$i=api"); done
    scripts/dev-certs.sh "$certs" "${names[@]}"
    export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
    export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-$ASPNETCORE_ENVIRONMENT}"
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    export Storage__DataPath="${Storage__DataPath:-$dir/data}"
    export ClusterTls__CaCertificatePath="$certs/ca.crt"
    export Database__Silos="${Database__Silos:-$silos}" Database__Apis="${Database__Apis:-$apis}"
}

start_postgres() {
    # 24 connections per process at most (README "Connection pools"), plus room for psql.
    PG_MAX_CONNECTIONS=$(((silos + apis) * 24 + 20))
    pg_start "$pg_data" "$pg_port"
    pg_ensure_database "$pg_data" "$pg_port" "$pg_db"
}

connection_strings() {
    ConnectionStrings__Orleans=$(pg_connection_string "$pg_data" "$pg_port" "$pg_db")
    export ConnectionStrings__Orleans
    owner_cs=$(pg_owner_connection_string "$pg_data" "$pg_port" "$pg_db")
}

# Starts NODE in the background, in its own session (a Ctrl-C in this terminal does not reach
# it), from its build folder (where appsettings.json is), output appended to logs/NODE.log.
launch() {
    local node=$1 kind=$2 i=$3 dll pid
    local env=(ClusterTls__CertificatePath="$certs/$node.crt" ClusterTls__KeyPath="$certs/$node.key")
    if [ "$kind" = silo ]; then
        dll=$silo_dll
        # Only silos get the schema owner's connection: the first one migrates, under an
        # advisory lock, the others find nothing to do.
        env+=(Orleans__SiloPort=$((silo_port + i)) Orleans__GatewayPort=$((gateway_port + i))
            Silo__DashboardUrl="http://127.0.0.1:$((dashboard_port + i))" Silo__HealthUrl="http://127.0.0.1:$((health_port + i))"
            Metrics__Port=$((metrics_port + i)) ConnectionStrings__OrleansMigrations="$owner_cs")
    else
        dll=$api_dll
        env+=(ASPNETCORE_URLS="http://127.0.0.1:$((api_port + i))" Metrics__Port=$((metrics_port + 10 + i)))
    fi
    [ -f "$dll" ] || die "$dll is missing: run without CLUSTER_BUILD=0 (it builds Release)"
    printf '\n===== %s: starting %s =====\n' "$(date -u '+%F %T')" "$node" >>"$logs/$node.log"
    (cd "$(dirname "$dll")" && exec env "${env[@]}" setsid dotnet "$dll") >>"$logs/$node.log" 2>&1 </dev/null &
    pid=$!
    # Recorded once the subshell has become dotnet, so that the pid file names that process.
    for _ in {1..50}; do
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$(basename "$dll")" && break
        sleep 0.1
    done
    pidfile_write "$run/$node.pid" "$pid"
    log "$node: pid $pid, log $logs/$node.log"
}

wait_node() {
    local node=$1 kind=$2 i=$3 url deadline
    url=$(health_url "$kind" "$i")
    deadline=$((SECONDS + start_timeout))
    until curl -fs -o /dev/null --max-time 2 "$url"; do
        if ! node_pid "$node" >/dev/null; then
            tail -n 30 "$logs/$node.log" >&2 || true
            die "$node exited during start-up (log: $logs/$node.log)"
        fi
        ((SECONDS < deadline)) || die "$node did not answer $url within $start_timeout s (log: $logs/$node.log)"
        sleep 0.5
    done
    log "$node answers $url"
}

# The generated admin password, printed once by the first silo that created the admin.
show_admin_password() {
    local line
    line=$(grep -h -A1 "Created user 'admin' with the generated password" "$logs"/silo*.log 2>/dev/null | tail -n 1 | tr -d ' ') || true
    if [ -n "$line" ]; then log "admin password (generated on the first start, also in $logs): $line"; fi
}

cmd_start() {
    local nodes=("$@") node kind i started=()
    [ "${#nodes[@]}" -gt 0 ] || mapfile -t nodes < <(all_nodes)
    for node in "${nodes[@]}"; do node_kind "$node" >/dev/null; done
    prepare
    if printf '%s\n' "${nodes[@]}" | grep -qx postgres || ! _pg_running "$pg_data"; then
        start_postgres
    fi
    connection_strings
    if printf '%s\n' "${nodes[@]}" | grep -qv '^postgres$'; then build; fi
    # Silos first (the first one alone while it may migrate the schema), then the APIs.
    for kind in silo api; do
        for node in "${nodes[@]}"; do
            read -r k i < <(node_kind "$node")
            [ "$k" = "$kind" ] || continue
            if pid=$(node_pid "$node"); then log "$node already runs (pid $pid)"; continue; fi
            launch "$node" "$kind" "$i"
            started+=("$node")
            # The very first silo applies the schema and creates the admin before the others join.
            if [ "$kind" = silo ] && [ ! -s "$run/initialised" ]; then
                wait_node "$node" silo "$i"
                date -u >"$run/initialised"
            fi
        done
    done
    for node in "${started[@]}"; do
        read -r k i < <(node_kind "$node")
        wait_node "$node" "$k" "$i"
    done
    show_admin_password
    cmd_status
}

cmd_stop() {
    local nodes=("$@") node kind i pid
    [ "${#nodes[@]}" -gt 0 ] || mapfile -t nodes < <(all_nodes)
    for node in "${nodes[@]}"; do node_kind "$node" >/dev/null; done
    # APIs, then silos (graceful: they hand their grains over), then the database.
    for kind in api silo postgres; do
        for node in "${nodes[@]}"; do
            read -r k i < <(node_kind "$node")
            [ "$k" = "$kind" ] || continue
            if [ "$kind" = postgres ]; then
                PG_BIN=$(_find_pg_bin || true)
                pg_data=$(pg_data_dir)
                if [ -n "$PG_BIN" ]; then pg_stop "$pg_data"; fi
                continue
            fi
            if pid=$(node_pid "$node"); then stop_pid_gracefully "$node" "$pid" 30; fi
            rm -f "$run/$node.pid"
        done
    done
}

cmd_status() {
    local node kind i pid state url
    PG_BIN=${PG_BIN:-$(_find_pg_bin || true)}
    pg_data=${pg_data:-$(pg_data_dir)}
    printf '%-9s %-8s %-8s %-40s %s\n' node state pid ports health
    for node in $(all_nodes); do
        read -r kind i < <(node_kind "$node")
        case $kind in
            postgres)
                if [ -n "$PG_BIN" ] && _pg_running "$pg_data"; then state=running; pid=$(head -n 1 "$pg_data/postmaster.pid"); else state=stopped; pid=-; fi
                printf '%-9s %-8s %-8s %-40s %s\n' "$node" "$state" "$pid" "127.0.0.1:$pg_port" "$pg_data"
                continue
                ;;
            silo) ports="silo $((silo_port + i)), gateway $((gateway_port + i)), health $((health_port + i))" ;;
            api) ports="http://127.0.0.1:$((api_port + i))" ;;
        esac
        url=$(health_url "$kind" "$i")
        if pid=$(node_pid "$node"); then state=running; else state=stopped; pid=-; fi
        if curl -fs -o /dev/null --max-time 2 "$url"; then health=ok; else health=no; fi
        printf '%-9s %-8s %-8s %-40s %s (%s)\n' "$node" "$state" "$pid" "$ports" "$health" "$url"
    done
}

[ "$#" -ge 1 ] || usage
command=$1
shift
case $command in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status ;;
    *) usage ;;
esac
