#!/usr/bin/env bash
# Runs every test of Surveillance.sln against a private PostgreSQL (./.test-data/postgres,
# port ${SURVEILLANCE_TEST_PG_PORT:-55433}) with a fresh database each run.
# The last line printed is always "tests: N passed, N failed" (CI reads it); the exit status is
# non-zero when anything failed, the build included, or when no test ran.
#
# Arguments go to dotnet test, e.g. ./test.sh --filter "FullyQualifiedName~Login".
# Also reads SURVEILLANCE_TEST_PG_DATA: the PostgreSQL data dir, when it must live elsewhere.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

root=$PWD
test_data="$root/.test-data"
results="$test_data/results"
console_log="$test_data/dotnet-test.log"
pg_port="${SURVEILLANCE_TEST_PG_PORT:-55433}"
pg_db=surveillance_test
PG_DATA_VARIABLE=SURVEILLANCE_TEST_PG_DATA
pg_data=""
passed=0
failed=0

# Always last: stop what we started, then the summary line. Any early error counts as a failure.
finish() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$PG_STARTED" = 1 ]; then pg_stop "$pg_data" || true; fi
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    if [ "$failed" -eq 0 ] && [ "$passed" -eq 0 ]; then
        log "no test ran"
        rc=1
    fi
    if [ "$failed" -ne 0 ] && [ "$rc" -eq 0 ]; then rc=1; fi
    printf 'tests: %d passed, %d failed\n' "$passed" "$failed"
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Sum one attribute of the <Counters> element over all TRX files.
trx_sum() {
    local attr=$1 file n sum=0
    for file in "${trx_files[@]}"; do
        n=$(sed -n -E "/<Counters /{s/.*<Counters[^>]*[[:space:]]$attr=\"([0-9]+)\".*/\1/p;q}" "$file")
        sum=$((sum + ${n:-0}))
    done
    printf '%d\n' "$sum"
}

ensure_tools
ensure_backup_tools   # tests/Backup drive scripts/backup.sh and restore.sh
command -v dotnet >/dev/null || die "dotnet is not installed: this needs the .NET 10 SDK"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$test_data"
if [ -n "${SURVEILLANCE_TEST_PG_DATA:-}" ]; then
    pg_data=$SURVEILLANCE_TEST_PG_DATA
elif pg_path_reachable "$root"; then
    pg_allow_traverse "$test_data"
    pg_data="$test_data/postgres"
else
    # The checkout is where the PostgreSQL OS user cannot enter (e.g. under /root, 0700), and
    # we do not loosen permissions of directories that are not ours. Test data is thrown away
    # every run anyway, so it may live elsewhere: one dir per checkout, private to root.
    fallback="/var/tmp/surveillance-test-$(printf '%s' "$root" | cksum | cut -d ' ' -f 1)"
    if [ -e "$fallback" ] && { [ -L "$fallback" ] || [ ! -O "$fallback" ]; }; then
        die "$fallback exists but is not a directory of ours; remove it"
    fi
    mkdir -p "$fallback"
    pg_allow_traverse "$fallback"
    pg_data="$fallback/postgres"
    log "note: $root is not reachable by the PostgreSQL OS user; test database in $pg_data"
fi

pg_start "$pg_data" "$pg_port"
# A fresh database every run, and none of the scratch databases that tests make (CREATEDB)
# survives into the next run, even if a test crashed before dropping its own.
pg_drop_role_databases "$pg_data" "$pg_port"
pg_ensure_database "$pg_data" "$pg_port" "$pg_db"
pg_allow_createdb "$pg_data" "$pg_port"
SURVEILLANCE_TEST_DB=$(pg_connection_string "$pg_data" "$pg_port" "$pg_db")
# The services under test run on the runtime role; the schema owner's connection is for the
# migrator and for tests that play a database administrator (tests/Infrastructure/TestDatabase.cs).
SURVEILLANCE_TEST_DB_OWNER=$(pg_owner_connection_string "$pg_data" "$pg_port" "$pg_db")
# The read-only role scripts/backup.sh runs as (tests/Backup).
pg_ensure_backup_role "$pg_data" "$pg_port"
SURVEILLANCE_TEST_DB_BACKUP=$(pg_backup_connection_string "$pg_data" "$pg_port" "$pg_db")
export SURVEILLANCE_TEST_DB SURVEILLANCE_TEST_DB_OWNER SURVEILLANCE_TEST_DB_BACKUP

rm -rf "$results"
mkdir -p "$results"
# dotnet test fails when a test fails: keep going to count. A hanging test is stopped after
# 10 minutes, so that a stuck run cannot eat CI's whole budget.
test_rc=0
dotnet test Surveillance.sln --nologo \
    --logger trx --results-directory "$results" \
    --blame-hang-timeout 10m --blame-hang-dump-type none \
    "$@" </dev/null 2>&1 | tee "$console_log" || test_rc=$?

mapfile -t trx_files < <(find "$results" -name '*.trx' -type f)
if [ "${#trx_files[@]}" -gt 0 ]; then
    passed=$(trx_sum passed)
    failed=$(($(trx_sum failed) + $(trx_sum error) + $(trx_sum timeout) + $(trx_sum aborted)))
fi
# A build error or a crashed test host leaves no (or an incomplete) TRX: count it as a failure.
if grep -q -E ': error [A-Z]+[0-9]+:|Build FAILED|Build failed' "$console_log"; then
    log "the build failed (see the errors above)"
    failed=$((failed + 1))
elif [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    log "dotnet test exited with status $test_rc but no TRX file counts a failure (crashed test host?)"
    failed=1
fi

# The Kubernetes manifests (full runs only: a --filter run is about some .NET tests): rendered
# with kubectl kustomize and schema-checked, one more passed or failed test in the summary;
# likewise the Dockerfiles' lint.
if [ "$#" -eq 0 ]; then
    if scripts/validate-k8s.sh; then
        passed=$((passed + 1))
    else
        log "deploy/k8s failed validation (see above)"
        failed=$((failed + 1))
    fi
    # The images' Dockerfiles (no container engine needed): pinned bases, non-root, WORKDIR.
    if scripts/lint-dockerfiles.sh; then
        passed=$((passed + 1))
    else
        log "a Dockerfile failed the lint (see above)"
        failed=$((failed + 1))
    fi
fi
