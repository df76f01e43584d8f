# shellcheck shell=bash disable=SC2034  # PG_* variables are read by the scripts that source this
# Shared functions for run.sh and test.sh: tools, and a private PostgreSQL cluster per data dir.
# Source it; it defines functions only (plus the PG_* variables they fill in).
#
# Layout of one cluster, for DATADIR=<parent>/postgres:
#   <parent>/postgres/           data dir, owned by the PostgreSQL OS user, mode 0700; it also
#                                holds the Unix socket, so only that user (and root) reach it
#   <parent>/postgres.password   password of the runtime role 'surveillance', mode 0600
#   <parent>/postgres-owner.password  password of the owner role 'surveillance_owner', mode 0600
#   <parent>/postgres.log        server log
# The server listens on 127.0.0.1 only. The Unix socket trusts its users (the directory is 0700,
# so only the owner and root get in) and is how these scripts administer the cluster as the
# superuser 'postgres', which has no password at all. TCP needs the role's password
# (scram-sha-256), which is what the services use.
#
# Two roles (README "Trust boundaries"): 'surveillance_owner' owns the database and its schema
# and is used only by the silo's schema migrator; 'surveillance' is the runtime role of silos and
# API instances, with only the grants db/surveillance/003_runtime_role.sql gives it (no DDL, no
# DELETE/UPDATE/TRUNCATE on audit_log, no write to the migrations table).

PG_OS_USER=surveillance   # initdb and postgres refuse to run as root
PG_DB_ROLE=surveillance   # the runtime role the services connect as; owns nothing
PG_OWNER_ROLE=surveillance_owner  # owns the databases and their schema; applies migrations
PG_BIN=""                 # set by ensure_tools: directory holding pg_ctl, initdb, psql
PG_STARTED=0              # set to 1 by pg_start when it started the server (not when it reused one)
PG_DATA_VARIABLE=""       # callers: the variable that moves the data dir, named in error messages
PG_MAX_CONNECTIONS=""     # callers: max_connections of a cluster pg_start starts (empty: PostgreSQL's default)
_APT_UPDATED=0

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# apt-get install, with one 'apt-get update' first per run (a fresh machine has no package lists).
apt_install() {
    is_root || die "missing $*; install it (as root: apt-get update && apt-get install -y $*)"
    command -v apt-get >/dev/null || die "missing $* and no apt-get to install it with"
    if [ "$_APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        _APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# A PostgreSQL bin dir with the server tools: pg_ctl on PATH, else the newest of Debian's
# versioned dirs (Debian does not put them on PATH; its /usr/bin/psql is only a wrapper).
_find_pg_bin() {
    local ctl dir
    if ctl=$(command -v pg_ctl 2>/dev/null); then
        dir=$(dirname "$(readlink -f "$ctl")")
        [ -x "$dir/initdb" ] && { printf '%s\n' "$dir"; return 0; }
    fi
    ctl=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$ctl" ] && dirname "$ctl"
}

# Make sure PostgreSQL server binaries and ffprobe exist, installing them with apt when missing.
ensure_tools() {
    if ! PG_BIN=$(_find_pg_bin); then
        apt_install postgresql
        PG_BIN=$(_find_pg_bin) || die "PostgreSQL was installed but no pg_ctl was found"
    fi
    local tool
    for tool in initdb pg_ctl psql; do
        [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool is missing (is the PostgreSQL server package complete?)"
    done
    command -v ffprobe >/dev/null || apt_install ffmpeg
    command -v ffprobe >/dev/null || die "ffprobe is still missing after installing ffmpeg"
    command -v curl >/dev/null || apt_install curl
    command -v openssl >/dev/null || apt_install openssl   # scripts/dev-certs.sh: the cluster's TLS certificates
    return 0
}

# What scripts/backup.sh and scripts/restore.sh need besides PostgreSQL's client tools: age
# (encryption of backup sets) and openssl (their signatures). Installed with apt when missing.
ensure_backup_tools() {
    if ! command -v age >/dev/null || ! command -v age-keygen >/dev/null; then apt_install age; fi
    command -v openssl >/dev/null || apt_install openssl
    command -v age >/dev/null || die "age is still missing after installing it"
    return 0
}

# Run a command as the PostgreSQL OS user, from / so that an unreadable working directory
# (e.g. under /root) does not matter.
as_pg() {
    if is_root; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

_ensure_pg_os_user() {
    is_root || return 0
    id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
    log "creating system user '$PG_OS_USER' to run PostgreSQL"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$PG_OS_USER"
}

# The server needs to reach DATADIR through every parent directory. We do not loosen the
# permissions of directories that are not ours (e.g. chmod o+x on /root); we only check.
pg_path_reachable() {
    local dir=$1
    is_root || return 0
    _ensure_pg_os_user
    runuser -u "$PG_OS_USER" -- test -x "$dir" 2>/dev/null
}

# Whether the server of DATADIR runs. Like 'pg_ctl status', but a postmaster that died and was
# never reaped (a container whose PID 1 does not reap orphans) counts as dead: its pid file is
# stale then, and is removed so that the next start does not trip over it.
_pg_running() {
    local datadir=$1 pid state
    as_pg "$PG_BIN/pg_ctl" -D "$datadir" status >/dev/null 2>&1 || return 1
    pid=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null) || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    if [ "$state" = Z ]; then
        log "removing the stale pid file of a dead PostgreSQL (pid $pid)"
        rm -f "$datadir/postmaster.pid"
        return 1
    fi
    return 0
}

# For a directory of ours that holds a data dir (.data, .test-data): let the PostgreSQL OS user
# pass through it via its group, without opening it to every user.
pg_allow_traverse() {
    local dir=$1
    is_root || return 0
    _ensure_pg_os_user
    runuser -u "$PG_OS_USER" -- test -x "$dir" 2>/dev/null && return 0
    # Blocked further up (e.g. under /root): nothing to gain here; pg_start explains.
    runuser -u "$PG_OS_USER" -- test -x "$(dirname "$dir")" 2>/dev/null || return 0
    chgrp "$PG_OS_USER" "$dir"
    chmod g+x "$dir"
}

# The parent of a data dir for the checkout ROOT: PREFERRED (a directory under ROOT, e.g.
# ROOT/.data) when the PostgreSQL OS user can pass through ROOT; otherwise ROOT sits where that
# user cannot enter (a checkout under /root, 0700), and we do not loosen permissions of
# directories that are not ours: then a directory of ours under BASE (e.g. /var/lib/surveillance),
# one per checkout and KIND. Prints the parent; notes the fallback on stderr.
pg_parent_dir() {
    local root=$1 preferred=$2 base=$3 kind=$4 fallback
    if pg_path_reachable "$root"; then
        mkdir -p "$preferred"
        pg_allow_traverse "$preferred"
        printf '%s\n' "$preferred"
        return 0
    fi
    fallback="$base/$kind-$(printf '%s' "$root" | cksum | cut -d ' ' -f 1)"
    if [ -e "$fallback" ] && { [ -L "$fallback" ] || [ ! -O "$fallback" ]; }; then
        die "$fallback exists but is not a directory of ours; remove it"
    fi
    if [ ! -d "$base" ]; then
        mkdir -p "$base"
        chmod 0755 "$base"
    fi
    # Private to us, passable for the PostgreSQL OS user through its group (pg_allow_traverse).
    mkdir -p -m 0700 "$fallback"
    pg_allow_traverse "$fallback"
    pg_path_reachable "$fallback" || die "the PostgreSQL OS user '$PG_OS_USER' cannot reach $root (e.g. /root is 0700)
       nor the fallback $fallback; move the checkout somewhere other users can traverse
       (/srv, /opt, /home/<user>) or set ${PG_DATA_VARIABLE:-the data dir variable} to a directory there"
    log "note: the PostgreSQL OS user cannot enter $root; its database lives in $fallback/postgres"
    printf '%s\n' "$fallback"
}

_pg_password_file() { printf '%s/postgres.password\n' "$(dirname "$1")"; }
_pg_owner_password_file() { printf '%s/postgres-owner.password\n' "$(dirname "$1")"; }

# Create and start the cluster in DATADIR on 127.0.0.1:PORT if it is not running yet.
# Sets PG_STARTED=1 when this call started it.
pg_start() {
    local datadir=$1 port=$2
    [ -n "$PG_BIN" ] || die "pg_start: call ensure_tools first"
    case $datadir in /*) ;; *) die "pg_start: data dir must be an absolute path: $datadir" ;; esac
    local parent logfile
    parent=$(dirname "$datadir")
    logfile="$parent/postgres.log"
    PG_STARTED=0

    _ensure_pg_os_user
    if [ ! -d "$parent" ]; then
        mkdir -p "$parent"
        pg_allow_traverse "$parent"
    fi
    if ! pg_path_reachable "$parent"; then
        die "the PostgreSQL OS user '$PG_OS_USER' cannot reach $parent: one of its parent
       directories does not let other users through (e.g. /root is 0700), and this script
       does not loosen permissions it does not own. Move the checkout somewhere other users can
       traverse (/srv, /opt, /home/<user>, /tmp) or set ${PG_DATA_VARIABLE:-the data dir} to
       a directory there."
    fi
    # Unix socket paths are limited to 107 bytes; the socket lives in the data dir.
    local socket="$datadir/.s.PGSQL.$port"
    [ "${#socket}" -le 107 ] || die "the path $datadir is too long for PostgreSQL's Unix socket ($socket); use a shorter data dir"

    mkdir -p "$datadir"
    if is_root && [ "$(stat -c %U "$datadir")" != "$PG_OS_USER" ]; then
        chown -R "$PG_OS_USER:" "$datadir"
    fi
    chmod 0700 "$datadir"

    # A data dir made by another major version needs that version's binaries.
    if [ -f "$datadir/PG_VERSION" ]; then
        local want have
        want=$(cat "$datadir/PG_VERSION")
        have=$("$PG_BIN/pg_ctl" --version | awk '{ split($3, v, "."); print v[1] }')   # "pg_ctl (PostgreSQL) 15.18 (Debian …)"
        if [ "$want" != "$have" ]; then
            [ -x "/usr/lib/postgresql/$want/bin/pg_ctl" ] \
                || die "$datadir was created by PostgreSQL $want, but only PostgreSQL $have is installed"
            PG_BIN="/usr/lib/postgresql/$want/bin"
        fi
    fi

    if _pg_running "$datadir"; then
        local running_port
        running_port=$(sed -n 4p "$datadir/postmaster.pid")
        [ "$running_port" = "$port" ] \
            || die "PostgreSQL in $datadir is already running on port $running_port, not $port; stop it first: $PG_BIN/pg_ctl -D $datadir stop"
        log "PostgreSQL already running in $datadir on 127.0.0.1:$port (reusing it)"
        return 0
    fi

    if [ ! -f "$datadir/PG_VERSION" ]; then
        log "initialising PostgreSQL in $datadir"
        # Local socket: trust (the socket dir is 0700). TCP: passwords only.
        local out
        out=$(as_pg "$PG_BIN/initdb" -D "$datadir" --username=postgres --encoding=UTF8 --no-locale \
            --auth-local=trust --auth-host=scram-sha-256 2>&1) \
            || { printf '%s\n' "$out" >&2; die "initdb failed"; }
        printf "\n# Settings of scripts/postgres.sh, rewritten on every start.\ninclude_if_exists = 'surveillance.conf'\n" \
            | as_pg tee -a "$datadir/postgresql.conf" >/dev/null
    fi

    # Rewritten on every start, so a changed port or a moved checkout just works.
    local dir_sql=${datadir//\'/\'\'}
    {
        printf "listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n" "$port" "$dir_sql"
        # Callers running several nodes raise it (scripts/cluster.sh): each process holds two pools.
        if [ -n "${PG_MAX_CONNECTIONS:-}" ]; then printf 'max_connections = %d\n' "$PG_MAX_CONNECTIONS"; fi
    } | as_pg tee "$datadir/surveillance.conf" >/dev/null

    # The server (not root) appends to the log: create it for the OS user, private.
    if [ ! -e "$logfile" ]; then
        (umask 077 && : >"$logfile")
    fi
    if is_root; then chown "$PG_OS_USER:" "$logfile"; fi

    log "starting PostgreSQL on 127.0.0.1:$port (log: $logfile)"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 start >/dev/null; then
        tail -n 20 "$logfile" >&2 || true
        die "PostgreSQL did not start (is port $port already in use?)"
    fi
    PG_STARTED=1
}

pg_stop() {
    local datadir=$1
    if _pg_running "$datadir"; then
        log "stopping PostgreSQL in $datadir"
        as_pg "$PG_BIN/pg_ctl" -D "$datadir" -m fast -w -t 60 stop >/dev/null
    fi
}

# psql as superuser over the data dir's socket; SQL on stdin.
_pg_admin_psql() {
    local datadir=$1 port=$2
    shift 2
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$datadir" -p "$port" -U postgres -d postgres "$@"
}

# A role's password, generated on first use into FILE. URL-safe base64: nothing that needs
# quoting in SQL or in an Npgsql connection string.
_pg_password_in() {
    local file=$1
    if [ ! -s "$file" ]; then
        (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$file")
    fi
    chmod 0600 "$file"
    cat "$file"
}
_pg_password() { _pg_password_in "$(_pg_password_file "$1")"; }
_pg_owner_password() { _pg_password_in "$(_pg_owner_password_file "$1")"; }

# Create the roles 'surveillance_owner' and 'surveillance' and database DBNAME owned by the
# owner, if missing. Passwords are (re)set from the password files every time, so the two can
# never drift apart. A database from before the split (owned by 'surveillance') is handed over
# to the owner role, objects included, so that its runtime role loses every owner right.
pg_ensure_database() {
    local datadir=$1 port=$2 db=$3 password owner_password
    password=$(_pg_password "$datadir")
    owner_password=$(_pg_owner_password "$datadir")
    _pg_admin_psql "$datadir" "$port" -v db="$db" -v role="$PG_DB_ROLE" -v owner="$PG_OWNER_ROLE" <<SQL
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
ALTER ROLE :"role" WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD '$password';
ALTER ROLE :"owner" WITH LOGIN NOCREATEROLE PASSWORD '$owner_password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
    _pg_admin_psql "$datadir" "$port" -d "$db" -v db="$db" -v role="$PG_DB_ROLE" -v owner="$PG_OWNER_ROLE" <<'SQL'
SELECT 'REASSIGN OWNED BY ' || quote_ident(:'role') || ' TO ' || quote_ident(:'owner')
 WHERE (SELECT datdba FROM pg_database WHERE datname = :'db') = (SELECT oid FROM pg_roles WHERE rolname = :'role') \gexec
SQL
}

pg_drop_database() {
    local datadir=$1 port=$2 db=$3
    _pg_admin_psql "$datadir" "$port" -v db="$db" <<'SQL'
SET client_min_messages = warning;
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
SQL
}

# Drop every database the roles 'surveillance_owner' and 'surveillance' own. Only for a cluster that is ours alone (the
# tests'): no run then sees what an earlier one, or a test that crashed, left behind.
pg_drop_role_databases() {
    local datadir=$1 port=$2
    _pg_admin_psql "$datadir" "$port" -v role="$PG_DB_ROLE" -v owner="$PG_OWNER_ROLE" <<'SQL'
SET client_min_messages = warning;
SELECT format('DROP DATABASE %I WITH (FORCE)', datname) FROM pg_database
 WHERE datdba IN (SELECT oid FROM pg_roles WHERE rolname IN (:'role', :'owner')) \gexec
SQL
}

# Let the owner role create databases of its own, and drop them WITH (FORCE) while the runtime
# role's connections are still open (tests that need a scratch database). Not for run.sh: the
# owner needs no more than the database it owns, the runtime role never gets it.
pg_allow_createdb() {
    local datadir=$1 port=$2
    _pg_admin_psql "$datadir" "$port" -v owner="$PG_OWNER_ROLE" <<'SQL'
ALTER ROLE :"owner" CREATEDB;
GRANT pg_signal_backend TO :"owner";
SQL
}

# The read-only role of scripts/backup.sh: a member of pg_read_all_data (PostgreSQL 14+), so it
# reads every table and sequence of every database and writes nothing. Password generated on
# first use, like the other roles'.
PG_BACKUP_ROLE=surveillance_backup
pg_ensure_backup_role() {
    local datadir=$1 port=$2 password
    password=$(_pg_password_in "$(dirname "$datadir")/postgres-backup.password")
    _pg_admin_psql "$datadir" "$port" -v role="$PG_BACKUP_ROLE" <<SQL
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$password';
GRANT pg_read_all_data TO :"role";
SQL
}

# Npgsql connection string for DBNAME as the backup role (pg_ensure_backup_role).
pg_backup_connection_string() {
    local datadir=$1 port=$2 db=$3 password
    password=$(_pg_password_in "$(dirname "$datadir")/postgres-backup.password")
    printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=%s;Password=%s;\n' "$port" "$db" "$PG_BACKUP_ROLE" "$password"
}

# Npgsql connection string for DBNAME as the runtime role 'surveillance', over TCP.
pg_connection_string() {
    local datadir=$1 port=$2 db=$3 password
    password=$(_pg_password "$datadir")
    printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=%s;Password=%s;\n' "$port" "$db" "$PG_DB_ROLE" "$password"
}

# Npgsql connection string for DBNAME as the owner role: for the silo's schema migrator only
# (ConnectionStrings:OrleansMigrations), never handed to an API process.
pg_owner_connection_string() {
    local datadir=$1 port=$2 db=$3 password
    password=$(_pg_owner_password "$datadir")
    printf 'Host=127.0.0.1;Port=%s;Database=%s;Username=%s;Password=%s;\n' "$port" "$db" "$PG_OWNER_ROLE" "$password"
}
