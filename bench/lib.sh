# shellcheck shell=bash disable=SC2154  # $out, $root, $api, $start_timeout are set by the script that sources this
# Shared by the bench/*.sh scripts (sourced, after they set $out): logging, stopping processes,
# waiting for health, reading a JSON field, checking and starting a throw-away system.

log() { printf '== %s\n' "$*" >&2; }

die() { printf 'bench: setup error: %s\n' "$*" >&2; exit 1; }

# SIGTERM, then up to WAIT seconds for the process to go, then SIGKILL.
stop_pid() {
    local name=$1 pid=$2 wait_s=$3 i
    kill -0 "$pid" 2>/dev/null || return 0
    log "stopping the $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait_s * 2; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "the $name did not stop within $wait_s s; killing it (check for leftover processes of $out)"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Polls URL until it answers 2xx, for at most TIMEOUT seconds, while PID lives.
wait_healthy() {
    local name=$1 pid=$2 url=$3 timeout=$4 logfile=$5 deadline
    deadline=$((SECONDS + timeout))
    until curl -fs -o /dev/null --max-time 2 "$url"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$logfile" >&2 || true
            die "the $name exited during start-up (log: $logfile)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$logfile" >&2 || true
            die "the $name did not answer $url within $timeout s (log: $logfile)"
        fi
        sleep 1
    done
}

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# Dies unless every TOOL is on the PATH.
require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is not installed"
    done
}

# Dies when something already answers one of the URLs, or a PostgreSQL of an earlier run still
# runs in $out: that would be measured, or broken, instead of what this run starts.
require_nothing_running() {
    local url
    for url in "$@"; do
        if curl -s -o /dev/null --max-time 2 "$url"; then
            die "something already answers $url: another benchmark still running? (ports: BENCH_*_PORT)"
        fi
    done
    if [ -f "$out/postgres/postmaster.pid" ] && kill -0 "$(head -n 1 "$out/postgres/postmaster.pid")" 2>/dev/null; then
        die "a PostgreSQL of an earlier run still runs in $out/postgres; stop it first"
    fi
}

# Empties $out for a fresh, throw-away system: its first start creates the admin with our password.
fresh_out_dir() {
    rm -rf "$out"
    mkdir -p "$out"
    chmod 755 "$root/bench/out" "$out" # the PostgreSQL OS user must pass through to its data dir
}

random_password() { printf 'bench-%s\n' "$(head -c 18 /dev/urandom | base64 | tr -d '+/=')"; }

# The lines every report starts with: when, on what, and how busy the machine was.
describe_machine() {
    printf '  date:     %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    printf '  machine:  %s CPUs, %s, %s\n' "$(nproc)" \
        "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
        "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)"
}

# Starts ./run.sh in its own session (a Ctrl-C then reaches only the bench script, which stops
# everything once), with its PostgreSQL and data in $out, the API on $api and the admin password
# PASSWORD; waits until it is healthy and sets system_pid. Every rate limit and threat counter is
# at 10^9 and 127.0.0.1 is allowlisted: the edge does all its work but never refuses. Further
# KEY=VALUE arguments are more configuration.
start_system() {
    local pg_port=$1 dashboard_port=$2 silo_port=$3 gateway_port=$4 password=$5 unlimited=1000000000
    shift 5
    log "starting the system with ./run.sh (builds Release first; log: $out/system.log)"
    env \
        SURVEILLANCE_PG_PORT="$pg_port" \
        SURVEILLANCE_PG_DATA="$out/postgres" \
        Storage__DataPath="$out/data" \
        SURVEILLANCE_ADMIN_PASSWORD="$password" \
        ASPNETCORE_URLS="$api" \
        Silo__DashboardUrl="http://127.0.0.1:$dashboard_port" \
        Orleans__SiloPort="$silo_port" \
        Orleans__GatewayPort="$gateway_port" \
        RateLimiting__Rules__default__Limit=$unlimited \
        RateLimiting__Rules__login__Limit=$unlimited \
        RateLimiting__Rules__upload__Limit=$unlimited \
        RateLimiting__Rules__search__Limit=$unlimited \
        RateLimiting__Rules__frames__Limit=$unlimited \
        Threats__MaxThreats=$unlimited \
        Threats__MaxFailedLogins=$unlimited \
        Threats__Allowlist__0=127.0.0.1 \
        "$@" \
        Metrics__Port=${Metrics__Port:-0} setsid "$root/run.sh" >"$out/system.log" 2>&1 &
    system_pid=$!
    wait_healthy "system" "$system_pid" "$api/health" "$start_timeout" "$out/system.log"
}

# The two helpers below use the calling script's $api (base URL) and $out (its output dir).
# Usage: login USER PASSWORD; prints the access token.
login() {
    curl -fsS -X POST "$api/auth/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$2\"}" | json_field access_token
}

# curl that fails on any non-2xx answer and shows the answer's body when it does.
# Usage: call TOKEN METHOD PATH [JSON-BODY]; prints the body.
call() {
    local token=$1 method=$2 path=$3 body=${4:-} status
    local args=(-sS -X "$method" -o "$out/last-response.json" -w '%{http_code}' -H "Authorization: Bearer $token")
    if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' -d "$body"); fi
    status=$(curl "${args[@]}" "$api$path") || die "$method $path failed (curl)"
    if [[ $status != 2* ]]; then
        cat "$out/last-response.json" >&2 || true
        echo >&2
        die "$method $path answered $status"
    fi
    cat "$out/last-response.json"
}
