#!/usr/bin/env bash
# Restores a set of scripts/backup.sh, verifying all of it before anything is touched.
# README "Backup and restore" explains the design; --help the usage.
set -euo pipefail

here="$(dirname "$(readlink -f "$0")")"
# shellcheck source=scripts/postgres.sh
source "$here/postgres.sh"
# shellcheck source=scripts/backup-set.sh
source "$here/backup-set.sh"

usage() {
    cat <<'EOF'
Usage:
  scripts/restore.sh data --set DIR --identity FILE --verify-key FILE --videos DIR [--dbname CONNINFO]
                          [--runtime-role NAME] [--work-dir DIR] [--force] [--verify-only]
  scripts/restore.sh keys --set DIR --identity FILE --verify-key FILE --out DIR [--verify-only]
  scripts/restore.sh --help

data   Restores a data set (scripts/backup.sh data) into an empty database and an empty video
       directory. First, before touching either, the whole set is verified: the signature of
       its MANIFEST under --verify-key, the SHA-256 of every file, complete authenticated
       decryption with --identity (into --work-dir), and that the dump and the archive read.
       Then the database is restored in ONE transaction (all or nothing), connected as the
       database's owner (surveillance_owner) or a superuser: every object is created owned by
       the database's owner, grants are restored as they were (roles of the same names must
       exist) and renewed for the runtime role (surveillance_grant_runtime), and the Orleans
       membership rows of the silos that ran at backup time are removed (those processes are
       gone; the restored cluster starts afresh). The audit log is restored row by
       row with its ids, hashes and sequence, so /admin/audit/verify holds with the same
       Audit:HmacKey. Last, the videos are unpacked into --videos.
       Stop every silo and API instance before restoring, and start them afterwards with the
       keys of the backup time (restore those with 'keys').
keys   Verifies a key set (scripts/backup.sh keys) and decrypts its files into --out, a new or
       empty directory (made 0700; files 0600).

Options:
  --set DIR            the backup set (a directory surveillance-data-… or surveillance-keys-…)
  --identity FILE      age identity (private key) that decrypts the set (backup.sh init-keys)
  --verify-key FILE    Ed25519 public key in PEM that signed the set (backup.sh init-keys)
  --videos DIR         the service's Storage:VideoPath to restore into
  --dbname CONNINFO    libpq connection string or URI of the target database; otherwise libpq's
                       PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD/PGPASSFILE, PGSSLMODE …
                       The database must exist (CREATE DATABASE … OWNER surveillance_owner).
  --runtime-role NAME  the role silos and API instances connect as (default: surveillance)
  --work-dir DIR       where the set is decrypted for verification (default: $TMPDIR or /tmp);
                       needs room for the whole set; private (0700) and removed afterwards
  --force              replace what the target holds: the database's schema public is dropped
                       (in the restore's transaction) and the video directory emptied. Without
                       it a database with tables or a non-empty video directory is refused.
  --verify-only        verify the set completely, restore nothing

Exit status: 0 restored (or verified), 1 failed, 2 wrong arguments, 3 the set failed
verification (nothing was touched), 4 the target is not empty and --force was not given
(nothing was touched).
Tools: age, openssl, pg_restore and psql of the dump's major version or newer; installed with
apt-get when missing and running as root.
EOF
}

work=""
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    if [ -n "$work" ] && [ -d "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

# Relations and routines outside PostgreSQL's own schemas: none means an empty database.
user_objects_sql="
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%')
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))"

# Schemas other than public that hold something: --force does not drop what is not ours.
foreign_schemas_sql="
SELECT string_agg(DISTINCT n.nspname, ', ') FROM pg_namespace n
  LEFT JOIN pg_class c ON c.relnamespace = n.oid LEFT JOIN pg_proc p ON p.pronamespace = n.oid
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND n.nspname NOT LIKE 'pg_toast%'
   AND n.nspname NOT LIKE 'pg_temp%' AND (c.oid IS NOT NULL OR p.oid IS NOT NULL)"

# True when every file under DIR is one the service writes (<project>/<video>.svv or an upload's
# .partial): --force empties only a directory that is recognisably a video directory.
looks_like_video_dir() {
    local dir=$1 path
    while IFS= read -r -d '' path; do
        if [ -d "$dir/$path" ] && [ ! -L "$dir/$path" ]; then
            [[ $path =~ ^\./[^/]+$ ]] || return 1
        else
            if [ ! -f "$dir/$path" ] || [ -L "$dir/$path" ]; then return 1; fi
            [[ $path =~ ^\./[^/]+/[^/]+\.svv$ || $path =~ ^\./[^/]+/\.[^/]+\.partial$ ]] || return 1
        fi
    done < <(cd "$dir" && find . -mindepth 1 -print0)
}

# Every entry of the archive stays inside the directory it is unpacked into.
check_archive_names() {
    local tarfile=$1 bad
    bad=$(tar --list --file="$tarfile" | grep -E '(^/|(^|/)\.\.(/|$))' | head -n 1) || true
    [ -z "$bad" ] || unverified "videos.tar holds a path outside its directory: $bad"
}

psql_value() {
    "$PG_CLIENT_BIN/psql" -X -A -t -v ON_ERROR_STOP=1 -d "$conninfo" -c "$1"
}

restore_data() {
    local set="" identity="" verify_key="" videos="" runtime_role=surveillance force=0 verify_only=0
    local work_parent=${TMPDIR:-/tmp}
    conninfo=""
    while [ "$#" -gt 0 ]; do
        case $1 in
            --set) need_value "$@"; set=$2; shift 2 ;;
            --identity) need_value "$@"; identity=$2; shift 2 ;;
            --verify-key) need_value "$@"; verify_key=$2; shift 2 ;;
            --videos) need_value "$@"; videos=$2; shift 2 ;;
            --dbname) need_value "$@"; conninfo=$2; shift 2 ;;
            --runtime-role) need_value "$@"; runtime_role=$2; shift 2 ;;
            --work-dir) need_value "$@"; work_parent=$2; shift 2 ;;
            --force) force=1; shift ;;
            --verify-only) verify_only=1; shift ;;
            *) usage_error "unknown argument for data: $1" ;;
        esac
    done
    [ -n "$set" ] || usage_error "--set is required"
    require_file "--identity" "$identity"
    require_file "--verify-key" "$verify_key"
    [ "$verify_only" = 1 ] || [ -n "$videos" ] || usage_error "--videos is required"
    ensure_backup_tools

    # 1. Verify everything before touching anything.
    verify_set "$set" "$verify_key" data
    # An older set is as genuinely signed as the newest: say which one this is.
    log "the set is signed; taken $(manifest_value "$set" created) of database $(manifest_value "$set" database)"
    work=$(private_tmpdir "$work_parent")
    decrypt_into "$set" database.pgdump "$identity" "$work/database.pgdump"
    decrypt_into "$set" videos.tar "$identity" "$work/videos.tar"
    check_archive_names "$work/videos.tar"
    local dump_major
    dump_major=$(manifest_value "$set" server-version | cut -d . -f 1)
    [[ $dump_major =~ ^[0-9]+$ ]] || unverified "MANIFEST names no server version"
    if [ "$verify_only" = 1 ]; then
        pg_client_for_server "$dump_major"
        "$PG_CLIENT_BIN/pg_restore" --list "$work/database.pgdump" >/dev/null 2>&1 \
            || unverified "database.pgdump is not a readable pg_dump archive"
        log "verified: $set (signature, checksums, decryption, dump and archive readable)"
        return 0
    fi

    # 2. The targets: empty, or --force.
    local server_major
    server_major=$(server_major_version "$conninfo")
    [ "$server_major" -ge "$dump_major" ] \
        || die "the set is a dump of PostgreSQL $dump_major; the target server is $server_major (restore into $dump_major or newer)"
    pg_client_for_server "$server_major"
    "$PG_CLIENT_BIN/pg_restore" --list "$work/database.pgdump" >/dev/null 2>&1 \
        || unverified "database.pgdump is not a readable pg_dump archive"

    local owner is_owner objects foreign
    owner=$(psql_value "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
    is_owner=$(psql_value "SELECT current_user = '$owner' OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
    [ "$is_owner" = t ] || die "connect as the database's owner ($owner) or a superuser: the restored schema must belong to $owner"
    [ "$runtime_role" != "$owner" ] || usage_error "--runtime-role must not be the database's owner ($owner)"
    [ "$(psql_value "SELECT count(*) FROM pg_roles WHERE rolname = '${runtime_role//\'/\'\'}'")" = 1 ] \
        || die "the runtime role '$runtime_role' does not exist on the target server (create it first, or pass --runtime-role)"

    objects=$(psql_value "$user_objects_sql")
    if [ "$objects" != 0 ]; then
        [ "$force" = 1 ] || { log "error: the target database is not empty ($objects tables, sequences, indexes or functions); nothing was touched. Use --force to replace it."; exit "$EXIT_NOT_EMPTY"; }
        foreign=$(psql_value "$foreign_schemas_sql")
        [ -z "$foreign" ] || die "the target database has schemas besides public that are not empty ($foreign); --force drops only public"
    fi
    mkdir -p "$videos"
    if [ -n "$(find "$videos" -mindepth 1 -print -quit)" ]; then
        [ "$force" = 1 ] || { log "error: the video directory $videos is not empty; nothing was touched. Use --force to replace it."; exit "$EXIT_NOT_EMPTY"; }
        looks_like_video_dir "$videos" \
            || die "$videos holds files the service does not write; --force empties only a video directory (<project>/<video>.svv)"
    fi

    # 3. The database, in one transaction: SET ROLE makes the owner own every object.
    log "restoring the database as $owner (runtime role: $runtime_role)"
    {
        printf 'SET client_min_messages = warning;\nBEGIN;\n'
        printf 'SET ROLE "%s";\n' "${owner//\"/\"\"}"
        if [ "$objects" != 0 ]; then
            printf 'DROP SCHEMA public CASCADE;\nCREATE SCHEMA public AUTHORIZATION pg_database_owner;\n'
            printf 'GRANT USAGE ON SCHEMA public TO PUBLIC;\n'
        fi
        # Grants come back as they were (they name the roles, which must exist here under
        # the same names); the runtime role's are then renewed for --runtime-role.
        "$PG_CLIENT_BIN/pg_restore" --no-owner --file=- "$work/database.pgdump"
        # pg_restore's script empties search_path; the service's functions expect public.
        printf 'SET search_path = public;\n'
        printf "DELETE FROM public.orleansmembershiptable;\n"
        printf "SELECT public.surveillance_grant_runtime('%s');\n" "${runtime_role//\'/\'\'}"
        printf 'COMMIT;\n'
    } | "$PG_CLIENT_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$conninfo" >/dev/null \
        || die "the database restore failed and was rolled back (see above); the video directory was not touched"

    # 4. The videos.
    if [ -n "$(find "$videos" -mindepth 1 -print -quit)" ]; then
        find "$videos" -mindepth 1 -delete
    fi
    log "unpacking the videos into $videos"
    tar --extract --file="$work/videos.tar" --directory="$videos" --no-same-owner
    log "restored $set"
}

restore_keys() {
    local set="" identity="" verify_key="" out="" verify_only=0 name
    while [ "$#" -gt 0 ]; do
        case $1 in
            --set) need_value "$@"; set=$2; shift 2 ;;
            --identity) need_value "$@"; identity=$2; shift 2 ;;
            --verify-key) need_value "$@"; verify_key=$2; shift 2 ;;
            --out) need_value "$@"; out=$2; shift 2 ;;
            --verify-only) verify_only=1; shift ;;
            *) usage_error "unknown argument for keys: $1" ;;
        esac
    done
    [ -n "$set" ] || usage_error "--set is required"
    require_file "--identity" "$identity"
    require_file "--verify-key" "$verify_key"
    [ "$verify_only" = 1 ] || [ -n "$out" ] || usage_error "--out is required"
    ensure_backup_tools

    verify_set "$set" "$verify_key" keys
    log "the set is signed; taken $(manifest_value "$set" created)"
    work=$(private_tmpdir "${TMPDIR:-/tmp}")
    for name in $(sed -n '/^files:$/,$p' "$set/MANIFEST" | tail -n +2 | awk '{print $2}'); do
        decrypt_into "$set" "${name%.age}" "$identity" "$work/${name%.age}"
    done
    if [ "$verify_only" = 1 ]; then
        log "verified: $set"
        return 0
    fi
    if [ -e "$out" ] && [ -n "$(find "$out" -mindepth 1 -print -quit)" ]; then
        log "error: $out is not empty; nothing was written"
        exit "$EXIT_NOT_EMPTY"
    fi
    (umask 077 && mkdir -p "$out")
    chmod 0700 "$out"
    for name in "$work"/*; do
        install -m 0600 "$name" "$out/"
    done
    log "restored the key files of $set into $out"
}

[ "$#" -gt 0 ] || { usage >&2; exit "$EXIT_USAGE"; }
command=$1
shift
case $command in
    data) restore_data "$@" ;;
    keys) restore_keys "$@" ;;
    -h | --help | help) usage ;;
    *) usage_error "unknown command: $command" ;;
esac
