# shellcheck shell=bash disable=SC2154  # $out is set by the script that sources this
# Shared by the bench/*.sh scripts (sourced, after they set $out): logging, stopping processes,
# waiting for health, reading a JSON field.

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
