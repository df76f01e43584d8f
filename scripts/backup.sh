#!/usr/bin/env bash
# Backups of the service: the database and the encrypted videos as one set, the service's keys as
# another, each encrypted with age to a backup key that is none of the service's keys, and
# signed. README "Backup and restore" explains the design; --help the usage.
set -euo pipefail

here="$(dirname "$(readlink -f "$0")")"
# shellcheck source=scripts/postgres.sh
source "$here/postgres.sh"
# shellcheck source=scripts/backup-set.sh
source "$here/backup-set.sh"

usage() {
    cat <<'EOF'
Usage:
  scripts/backup.sh data --out DIR --videos DIR --recipient-file FILE --signing-key FILE [--dbname CONNINFO]
  scripts/backup.sh keys --out DIR --recipient-file FILE --signing-key FILE --file FILE [--file FILE ...]
  scripts/backup.sh init-keys DIR
  scripts/backup.sh --help

data       One backup set of the service's data in a new directory DIR/surveillance-data-<UTC time>:
           database.pgdump.age  pg_dump --format=custom of the whole database (one snapshot)
           videos.tar.age       the files of Storage:VideoPath (--videos), taken after the dump
           MANIFEST, MANIFEST.sig  SHA-256 of each file, signed with --signing-key
           The path of the set is printed on standard output.
           The database connection: --dbname (a libpq connection string or URI, e.g.
           "host=db port=5432 dbname=surveillance user=surveillance_backup sslmode=verify-full"),
           otherwise libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD or PGPASSFILE,
           PGSSLMODE, PGSSLROOTCERT. The role needs to read everything and nothing more: a member
           of pg_read_all_data (e.g. surveillance_backup), or the schema owner surveillance_owner.
keys       One backup set of key files in DIR/surveillance-keys-<UTC time>: each --file (e.g.
           .data/secrets.json, or `kubectl get secret -o json` of the service's Secrets) encrypted
           and listed in a signed MANIFEST. Use another --out destination and another recipient
           than for data: the keys decrypt the data (README "Backup and restore").
init-keys  Makes a new backup key pair and signing key pair in DIR (must not exist yet):
           identity.age   age private key: decrypts sets. Keep it offline, with the restorers only.
           recipient.txt  age public key: --recipient-file of the backup job.
           signing.pem    Ed25519 private key: --signing-key of the backup job.
           verify.pem     Ed25519 public key: --verify-key of scripts/restore.sh.

Options:
  --out DIR             where the new set directory is made (created if missing)
  --videos DIR          the service's Storage:VideoPath (e.g. .data/videos, /var/lib/surveillance/videos)
  --recipient-file FILE age recipients, one per line (public keys only; several = any one decrypts)
  --signing-key FILE    Ed25519 private key in PEM (init-keys makes one)
  --dbname CONNINFO     libpq connection string or URI of the database
  --file FILE           (keys) a file to put in the set; may be repeated; names must differ

Exit status: 0 done, 1 failed (no set is left behind), 2 wrong arguments.
Tools: age, openssl, and pg_dump of the server's major version or newer; installed with apt-get
when missing and running as root.
EOF
}

# The set being written; a failed backup leaves none behind.
partial=""
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    if [ -n "$partial" ] && [ -d "$partial" ]; then rm -rf "$partial"; fi
}
trap cleanup EXIT

# Makes an empty set directory under OUT; prints its path.
new_set_dir() {
    local out=$1 kind=$2 name
    mkdir -p "$out"
    name="surveillance-$kind-$(utc_stamp)"
    [ ! -e "$out/$name" ] || die "$out/$name already exists (two backups within one second?)"
    (umask 077 && mkdir "$out/.$name.partial")
    printf '%s\n' "$out/$name"
}

backup_data() {
    local out="" videos="" recipients="" signing_key="" conninfo=""
    while [ "$#" -gt 0 ]; do
        case $1 in
            --out) need_value "$@"; out=$2; shift 2 ;;
            --videos) need_value "$@"; videos=$2; shift 2 ;;
            --recipient-file) need_value "$@"; recipients=$2; shift 2 ;;
            --signing-key) need_value "$@"; signing_key=$2; shift 2 ;;
            --dbname) need_value "$@"; conninfo=$2; shift 2 ;;
            *) usage_error "unknown argument for data: $1" ;;
        esac
    done
    [ -n "$out" ] || usage_error "--out is required"
    [ -n "$videos" ] || usage_error "--videos is required"
    [ -d "$videos" ] || usage_error "--videos: no directory $videos"
    check_recipient_file "$recipients"
    require_file "--signing-key" "$signing_key"
    recipients=$(readlink -f "$recipients")
    signing_key=$(readlink -f "$signing_key")
    ensure_backup_tools

    local major
    major=$(server_major_version "$conninfo")
    pg_client_for_server "$major"

    local set
    set=$(new_set_dir "$out" data)
    partial="$(dirname "$set")/.$(basename "$set").partial"

    local database server_version
    database=$("$PG_CLIENT_BIN/psql" -X -A -t -v ON_ERROR_STOP=1 -d "$conninfo" -c 'SELECT current_database()')
    server_version=$("$PG_CLIENT_BIN/psql" -X -A -t -v ON_ERROR_STOP=1 -d "$conninfo" -c 'SHOW server_version')
    log "dumping database $database (PostgreSQL $server_version) with $PG_CLIENT_BIN/pg_dump"
    # One snapshot of the whole database (pg_dump runs in a repeatable-read transaction).
    # Owners and grants are kept in the dump; restore.sh decides how to apply them.
    "$PG_CLIENT_BIN/pg_dump" --format=custom --compress=6 --dbname="$conninfo" \
        | age --encrypt --recipients-file "$recipients" --output "$partial/database.pgdump.age"

    # After the dump: an upload writes its file before its record, so every video the dump
    # knows has its complete file by now. Uploads still being written (.partial) are skipped.
    log "archiving the videos under $videos"
    tar --create --file=- --directory="$videos" --exclude='.*.partial' --sort=name --numeric-owner . \
        | age --encrypt --recipients-file "$recipients" --output "$partial/videos.tar.age"

    write_manifest "$partial" "$signing_key" \
        "kind: data" \
        "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        "database: $database" \
        "server-version: $server_version" \
        "recipients: $(grep '^age1' "$recipients" | tr '\n' ' ' | sed 's/ $//')"
    mv "$partial" "$set"
    partial=""
    log "backup set written: $set"
    printf '%s\n' "$set"
}

backup_keys() {
    local out="" recipients="" signing_key="" files=() file name
    while [ "$#" -gt 0 ]; do
        case $1 in
            --out) need_value "$@"; out=$2; shift 2 ;;
            --recipient-file) need_value "$@"; recipients=$2; shift 2 ;;
            --signing-key) need_value "$@"; signing_key=$2; shift 2 ;;
            --file) need_value "$@"; files+=("$2"); shift 2 ;;
            *) usage_error "unknown argument for keys: $1" ;;
        esac
    done
    [ -n "$out" ] || usage_error "--out is required"
    [ "${#files[@]}" -gt 0 ] || usage_error "at least one --file is required"
    check_recipient_file "$recipients"
    require_file "--signing-key" "$signing_key"
    local -A seen=()
    for file in "${files[@]}"; do
        require_file "--file" "$file"
        name=$(basename "$file")
        [[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || usage_error "--file $file: use a file name of letters, digits, . _ - only"
        [ -z "${seen[$name]:-}" ] || usage_error "two --file arguments are named $name"
        seen[$name]=1
    done
    # The keys must not sit with the data: refuse a destination that holds data sets.
    if compgen -G "$out/surveillance-data-*" >/dev/null; then
        usage_error "$out holds data backup sets; keys go to another destination (README \"Backup and restore\")"
    fi
    recipients=$(readlink -f "$recipients")
    signing_key=$(readlink -f "$signing_key")
    ensure_backup_tools

    local set
    set=$(new_set_dir "$out" keys)
    partial="$(dirname "$set")/.$(basename "$set").partial"
    for file in "${files[@]}"; do
        age --encrypt --recipients-file "$recipients" --output "$partial/$(basename "$file").age" "$file"
    done
    write_manifest "$partial" "$signing_key" \
        "kind: keys" \
        "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        "recipients: $(grep '^age1' "$recipients" | tr '\n' ' ' | sed 's/ $//')"
    mv "$partial" "$set"
    partial=""
    log "key backup set written: $set"
    printf '%s\n' "$set"
}

init_keys() {
    [ "$#" -eq 1 ] || usage_error "init-keys takes one directory"
    local dir=$1
    [ ! -e "$dir" ] || usage_error "$dir exists; init-keys makes a new directory (it never overwrites keys)"
    ensure_backup_tools
    (umask 077 && mkdir -p "$dir")
    (umask 077 && age-keygen -o "$dir/identity.age" 2>/dev/null)
    age-keygen -y "$dir/identity.age" >"$dir/recipient.txt"
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/signing.pem")
    openssl pkey -in "$dir/signing.pem" -pubout -out "$dir/verify.pem"
    chmod 0644 "$dir/recipient.txt" "$dir/verify.pem"
    log "made $dir: identity.age and signing.pem are private (0600); recipient.txt and verify.pem are public"
    log "the backup job gets recipient.txt and signing.pem; restorers get identity.age and verify.pem"
}

[ "$#" -gt 0 ] || { usage >&2; exit "$EXIT_USAGE"; }
command=$1
shift
case $command in
    data) backup_data "$@" ;;
    keys) backup_keys "$@" ;;
    init-keys) init_keys "$@" ;;
    -h | --help | help) usage ;;
    *) usage_error "unknown command: $command" ;;
esac
