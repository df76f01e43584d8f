#!/usr/bin/env bash
# Starts one more node in the foreground, joining the cluster of a running ./run.sh (same
# database, same ./.data): for trying several silos or API instances on one machine, e.g. to
# watch a silo fail over. Ctrl-C stops it. Uses the Release build that ./run.sh made.
#
#   scripts/start-node.sh silo N   silo port 11111+N, gateway 30000+N, dashboard 127.0.0.1:(8081+10N), metrics (9465+10N)
#   scripts/start-node.sh api N    API on http://127.0.0.1:(8080+10N), metrics (9464+10N)
#
# N is 1-9. Like ./run.sh, every environment variable passes through as configuration.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

usage() { die "usage: $0 silo|api N   (N = 1-9)"; }
[ "$#" -eq 2 ] || usage
kind=$1 n=$2
[[ $n =~ ^[1-9]$ ]] || usage

root=$PWD
if [ -n "${SURVEILLANCE_PG_DATA:-}" ]; then
    pg_data=$SURVEILLANCE_PG_DATA
else
    # Where ./run.sh keeps it: under ./.data, or its fallback when the checkout is private (/root).
    pg_parent=$(pg_parent_dir "$root" "$root/.data" /var/lib/surveillance run) || exit 1
    pg_data="$pg_parent/postgres"
fi
pg_port="${SURVEILLANCE_PG_PORT:-55432}"

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-$ASPNETCORE_ENVIRONMENT}"
# Same data dir as the first node: in Development the nodes must share secrets.json (the token
# signing key above all), or tokens issued by one would be refused by another.
export Storage__DataPath="${Storage__DataPath:-$root/.data}"
if [ -z "${ConnectionStrings__Orleans:-}" ]; then
    [ -s "$(dirname "$pg_data")/postgres.password" ] \
        || die "no database of ./run.sh found under $(dirname "$pg_data"): start ./run.sh first"
    ConnectionStrings__Orleans=$(pg_connection_string "$pg_data" "$pg_port" surveillance)
    export ConnectionStrings__Orleans
fi

# The cluster's development certificates (made by ./run.sh; made here if missing): each node
# presents the certificate of its role.
certs="$root/.data/certs"
scripts/dev-certs.sh "$certs"
export ClusterTls__CaCertificatePath="$certs/ca.crt"
export ClusterTls__CertificatePath="$certs/$kind.crt" ClusterTls__KeyPath="$certs/$kind.key"

case $kind in
    silo)
        dll="$root/silo/bin/Release/net10.0/Surveillance.Silo.dll"
        export Orleans__SiloPort=$((11111 + n)) Orleans__GatewayPort=$((30000 + n))
        export Silo__DashboardUrl="http://127.0.0.1:$((8081 + 10 * n))"
        export Metrics__Port="${Metrics__Port:-$((9465 + 10 * n))}"
        log "silo $n: silo port $Orleans__SiloPort, gateway $Orleans__GatewayPort, dashboard $Silo__DashboardUrl/dashboard"
        ;;
    api)
        dll="$root/api/bin/Release/net10.0/Surveillance.Api.dll"
        export ASPNETCORE_URLS="http://127.0.0.1:$((8080 + 10 * n))"
        export Metrics__Port="${Metrics__Port:-$((9464 + 10 * n))}"
        log "API $n on $ASPNETCORE_URLS"
        ;;
    *) usage ;;
esac
[ -f "$dll" ] || die "$dll is missing: run ./run.sh once (it builds the Release configuration)"

# The build output as working directory: that is where appsettings.json is.
cd "$(dirname "$dll")"
exec dotnet "$dll"
