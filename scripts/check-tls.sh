#!/usr/bin/env bash
# Judges the TLS of an HTTPS endpoint with testssl.sh (Debian's package, installed when missing):
# protocols, cipher suites, forward secrecy, server defaults, HTTP headers (HSTS), the known
# vulnerabilities (Heartbleed, ROBOT, POODLE, BEAST, SWEET32, ...) and simulated clients. Every
# finding is printed; the exit status is 1 when any is rated HIGH or CRITICAL.
#
#   scripts/check-tls.sh URL [--add-ca CA.pem] [--allow ID[,ID...]] [--out DIR]
#
#   --add-ca   trust this CA too (a private or development CA), as clients of that CA do
#   --allow    finding ids not counted (printed as such): only for properties of a certificate
#              that are not the server's doing, e.g. cert_revocation for a development CA without
#              a revocation service. Never allow a protocol, cipher or vulnerability finding.
#   --out      where testssl's CSV and log and the printed result are kept (default: .test-data/check-tls)
#
# tests/Https/TestsslScanTests.cs runs it against the API serving scripts/dev-certs.sh's
# certificate; README "HTTPS at the API" records the result.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

url=""
add_ca=""
allow=""
out=""
while [ "$#" -gt 0 ]; do
    case $1 in
        --add-ca) add_ca=$2; shift 2 ;;
        --allow) allow=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) url=$1; shift ;;
    esac
done
[ -n "$url" ] || die "usage: scripts/check-tls.sh URL [--add-ca CA.pem] [--allow ID,...] [--out DIR]"

command -v testssl >/dev/null || apt_install testssl.sh
out=${out:-$PWD/.test-data/check-tls}
mkdir -p "$out"
csv="$out/testssl.csv"
rm -f "$csv"

args=(--quiet --color 0 --warnings off --sneaky --csvfile "$csv")
if [ -n "$add_ca" ]; then args+=(--add-ca "$add_ca"); fi
log "check-tls: testssl ${args[*]} $url"
# testssl's own exit status counts findings of every kind; the CSV is what we judge.
testssl "${args[@]}" "$url" >"$out/testssl.log" 2>&1 || true
[ -s "$csv" ] || { cat "$out/testssl.log" >&2; die "testssl wrote no findings (is $url reachable?)"; }

# CSV columns: "id","fqdn/ip","port","severity","finding","cve","cwe"
awk -F'","' -v allow=",$allow," '
    NR == 1 { next }
    {
        id = substr($1, 2); severity = $4; finding = $5
        counted = (severity == "HIGH" || severity == "CRITICAL")
        if (counted && index(allow, "," id ",") > 0) { severity = severity " (allowed)"; counted = 0 }
        printf "%-34s %-16s %s\n", id, severity, finding
        if (counted) bad++
    }
    END { printf "check-tls: %d finding(s) rated HIGH or CRITICAL\n", bad; exit bad > 0 }
' "$csv" | tee "$out/result.txt"
