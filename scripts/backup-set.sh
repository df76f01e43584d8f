# shellcheck shell=bash disable=SC2034  # variables read by the scripts that source this
# The backup set format shared by scripts/backup.sh and scripts/restore.sh. Source it after
# scripts/postgres.sh; it defines functions only.
#
# A set is one directory:
#   MANIFEST       text: a format line, "key: value" lines, then "<sha256>  <file>" per file
#   MANIFEST.sig   Ed25519 signature of MANIFEST (openssl pkeyutl -rawin)
#   <file>.age     each payload, encrypted with age to the backup recipient(s)
# A set is written under a hidden ".<name>.partial" directory and renamed when complete, so a
# directory with a set's name is a finished set.

BACKUP_FORMAT_LINE="surveillance-backup-set 1"

# Exit codes both scripts document in --help.
EXIT_USAGE=2         # wrong arguments
EXIT_UNVERIFIED=3    # the set failed verification (signature, checksum, decryption): nothing was touched
EXIT_NOT_EMPTY=4     # the restore target holds data and --force was not given: nothing was touched

# An option's value is missing when the option is the last argument.
need_value() { [ "$#" -ge 2 ] || usage_error "$1 needs a value"; }
usage_error() { printf 'error: %s (see --help)\n' "$*" >&2; exit "$EXIT_USAGE"; }
unverified() { printf 'error: the backup set failed verification: %s\nnothing was restored\n' "$*" >&2; exit "$EXIT_UNVERIFIED"; }

require_file() {
    local what=$1 file=$2
    [ -n "$file" ] || usage_error "$what is required"
    if [ ! -f "$file" ] || [ ! -r "$file" ]; then usage_error "$what: no readable file $file"; fi
}

# A recipient file holds public keys only. An age identity (private key) there would mean the
# host that writes backups could also read them, which is what age recipients exist to avoid.
check_recipient_file() {
    require_file "--recipient-file" "$1"
    if grep -q 'AGE-SECRET-KEY-' "$1"; then
        usage_error "$1 holds an age identity (a private key); give the backup job the recipient (public key) only: age-keygen -y $1"
    fi
    grep -q '^age1' "$1" || usage_error "$1 holds no age recipient (a line starting with age1)"
}

# The newest PostgreSQL client tools of a major version >= the server's, installing the
# server's version when none is (a pg_dump older than its server refuses to dump).
PG_CLIENT_BIN=""
pg_client_for_server() {
    local server_major=$1 dir major
    for dir in $(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V -r); do
        major=$(basename "$(dirname "$dir")")
        if [ -x "$dir/pg_dump" ] && [ -x "$dir/pg_restore" ] && [ -x "$dir/psql" ] && [ "$major" -ge "$server_major" ]; then
            PG_CLIENT_BIN=$dir
            return 0
        fi
    done
    apt_install "postgresql-client-$server_major"
    dir="/usr/lib/postgresql/$server_major/bin"
    [ -x "$dir/pg_dump" ] || die "postgresql-client-$server_major was installed but $dir/pg_dump is missing"
    PG_CLIENT_BIN=$dir
}

# Any psql, to ask the server its version before the right client tools are chosen.
any_psql() {
    local psql
    psql=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$psql" ]; then
        apt_install postgresql-client
        psql=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1)
    fi
    [ -n "$psql" ] || die "no psql found under /usr/lib/postgresql"
    printf '%s\n' "$psql"
}

# Major version of the server at CONNINFO ("" means the libpq environment: PGHOST, PGUSER, …).
server_major_version() {
    local conninfo=$1 num
    num=$("$(any_psql)" -X -A -t -v ON_ERROR_STOP=1 -d "$conninfo" -c 'SHOW server_version_num') \
        || die "cannot connect to the database (check --dbname or PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD)"
    printf '%d\n' "$((num / 10000))"
}

# Writes MANIFEST in SETDIR from the "key: value" header lines given and every *.age file
# there, then signs it with the Ed25519 key.
write_manifest() {
    local setdir=$1 signing_key=$2
    shift 2
    (
        cd "$setdir" || exit 1
        {
            printf '%s\n' "$BACKUP_FORMAT_LINE"
            printf '%s\n' "$@"
            printf 'files:\n'
            sha256sum -- *.age
        } >MANIFEST
        openssl pkeyutl -sign -inkey "$signing_key" -rawin -in MANIFEST -out MANIFEST.sig 2>/dev/null \
            || die "could not sign the manifest with $signing_key (an Ed25519 private key in PEM: see 'backup.sh init-keys')"
    )
}

# Verifies a set before anything reads its payloads: the manifest's signature under the
# verify key, its format and kind, that it lists exactly the files present, and each file's
# SHA-256. Exits with EXIT_UNVERIFIED on any failure.
verify_set() {
    local setdir=$1 verify_key=$2 kind=$3 listed present line
    [ -d "$setdir" ] || usage_error "--set: no directory $setdir"
    [ -f "$setdir/MANIFEST" ] || unverified "$setdir has no MANIFEST"
    [ -f "$setdir/MANIFEST.sig" ] || unverified "$setdir has no MANIFEST.sig"
    if ! openssl pkeyutl -verify -pubin -inkey "$verify_key" -rawin -in "$setdir/MANIFEST" \
        -sigfile "$setdir/MANIFEST.sig" >/dev/null 2>&1; then
        unverified "the signature of MANIFEST does not verify under $verify_key (the manifest was changed, or signed by another key)"
    fi
    [ "$(head -n 1 "$setdir/MANIFEST")" = "$BACKUP_FORMAT_LINE" ] || unverified "MANIFEST is not of format '$BACKUP_FORMAT_LINE'"
    grep -qx "kind: $kind" "$setdir/MANIFEST" || unverified "this is not a $kind backup set ($(grep '^kind: ' "$setdir/MANIFEST"))"

    listed=$(sed -n '/^files:$/,$p' "$setdir/MANIFEST" | tail -n +2)
    [ -n "$listed" ] || unverified "MANIFEST lists no files"
    while IFS= read -r line; do
        [[ $line =~ ^[0-9a-f]{64}\ \ [A-Za-z0-9][A-Za-z0-9._-]*\.age$ ]] || unverified "MANIFEST has a malformed line: $line"
    done <<<"$listed"
    present=$(cd "$setdir" && find . -mindepth 1 -maxdepth 1 ! -name MANIFEST ! -name MANIFEST.sig -printf '%f\n' | sort)
    [ "$present" = "$(awk '{print $2}' <<<"$listed" | sort)" ] \
        || unverified "the files in $setdir are not those MANIFEST lists (present: $(tr '\n' ' ' <<<"$present"); listed: $(awk '{print $2}' <<<"$listed" | tr '\n' ' '))"
    (cd "$setdir" && sha256sum --check --quiet --strict <<<"$listed" >/dev/null 2>&1) \
        || unverified "a file's SHA-256 differs from MANIFEST: $(cd "$setdir" && sha256sum --check --quiet <<<"$listed" 2>/dev/null | tr '\n' ' ')"
}

# Value of a "key: value" line of a verified MANIFEST.
manifest_value() { sed -n "s/^$2: //p" "$1/MANIFEST" | head -n 1; }

# Decrypts FILE.age of a verified set into OUT. age authenticates every 64 KiB chunk and the
# end of the stream, so a file that decrypts completely is the one that was encrypted.
decrypt_into() {
    local setdir=$1 name=$2 identity=$3 out=$4
    age --decrypt --identity "$identity" --output "$out" "$setdir/$name.age" 2>/dev/null \
        || unverified "$name.age does not decrypt with $identity (wrong identity, or the file is damaged)"
}

# A private scratch directory (0700) for plaintext, removed by the caller's EXIT trap.
private_tmpdir() {
    local parent=$1
    mkdir -p "$parent"
    (umask 077 && mktemp -d "$parent/surveillance-restore.XXXXXX")
}

utc_stamp() { date -u +%Y%m%dT%H%M%SZ; }
