# shellcheck shell=bash
# Pid files for run.sh and cluster.sh: what a script started is recorded so that a later run
# (after kill -9 or an IDE's stop) can find and stop exactly those processes, and nothing else.
# Source it after scripts/postgres.sh (it uses log).
#
# A pid file holds "PID STARTTIME": the start time (clock ticks since boot, field 22 of
# /proc/PID/stat) tells a process apart from a later one that got the same pid.

# The start time of PID, or nothing when it does not run (a zombie counts as gone).
proc_start_time() {
    local stat rest
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    rest=${stat##*) }   # the command name may hold spaces and parentheses: cut after the last ") "
    # shellcheck disable=SC2086
    set -- $rest        # $1 is field 3 (state), so field 22 is $20
    [ "$1" != Z ] || return 1
    printf '%s\n' "${20}"
}

pidfile_write() {
    local file=$1 pid=$2 start
    start=$(proc_start_time "$pid") || return 0   # already gone: nothing to record
    mkdir -p "$(dirname "$file")"
    printf '%s %s\n' "$pid" "$start" >"$file.tmp"
    mv -f "$file.tmp" "$file"
}

# Prints the pid recorded in FILE when that very process still runs and its command line
# matches the extended regular expression PATTERN; fails otherwise.
pidfile_alive() {
    local file=$1 pattern=$2 pid start now
    [ -s "$file" ] || return 1
    read -r pid start <"$file" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    now=$(proc_start_time "$pid") || return 1
    [ "$now" = "$start" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq -- "$pattern" || return 1
    printf '%s\n' "$pid"
}

# SIGTERM, up to WAIT seconds for PID to go, then SIGKILL. Works for processes that are not our
# children (a leftover of an earlier run) as well as for those that are.
stop_pid_gracefully() {
    local name=$1 pid=$2 wait_s=$3 i start
    start=$(proc_start_time "$pid") || return 0
    log "stopping the $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait_s * 4; i++)); do
        [ "$(proc_start_time "$pid" || true)" = "$start" ] || break
        sleep 0.25
    done
    if [ "$(proc_start_time "$pid" || true)" = "$start" ]; then
        log "the $name did not stop within $wait_s s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    wait "$pid" 2>/dev/null || true
}
