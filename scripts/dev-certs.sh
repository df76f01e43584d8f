#!/usr/bin/env bash
# Makes the development certificates of the cluster's mutual TLS (README, "Cluster transport
# security"), once, in DIR (default ./.data/certs), and reuses them on later runs:
#   ca.crt  ca.key      a development cluster CA (10 years; its key never leaves DIR)
#   silo.crt silo.key   OU=silo: may join the cluster and serve the gateway (serverAuth+clientAuth)
#   api.crt  api.key    OU=api:  may only connect to a gateway as a client (clientAuth)
#   NAME.crt NAME.key   for every further argument NAME=ROLE (ROLE silo or api): a node
#                       certificate of its own, e.g. scripts/cluster.sh's silo1=silo api2=api
#   https.crt https.key OU=https: the API's own HTTPS server certificate (serverAuth) for
#                       localhost/127.0.0.1 (README "HTTPS at the API"); its OU is no cluster
#                       role, so it opens no Orleans link
# Keys are unencrypted PKCS#8 PEM, mode 0600. A node certificate that is missing, not issued by
# ca.crt, or expiring within 7 days is issued anew; the CA is made only when it is missing.
# openssl rather than C#: these are the same commands an operator without cert-manager runs,
# and no service binary ever holds a CA key or mints its own identity.
#
#   scripts/dev-certs.sh [DIR [NAME=ROLE...]]
set -euo pipefail

dir=${1:-"$(dirname "$(readlink -f "$0")")/../.data/certs"}
command -v openssl >/dev/null || { echo "error: openssl is missing (apt-get install openssl)" >&2; exit 1; }
umask 077
mkdir -p "$dir"
cd "$dir"

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.tmp" 2>/dev/null && chmod 600 "$1.tmp" && mv -f "$1.tmp" "$1"; }

if [ ! -s ca.crt ] || [ ! -s ca.key ]; then
    echo "dev-certs: making a development cluster CA in $dir" >&2
    new_key ca.key
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -out ca.crt.tmp \
        -subj "/O=Surveillance development/CN=Surveillance development cluster CA" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign"
    mv -f ca.crt.tmp ca.crt
    rm -f ./*.crt.tmp && find . -maxdepth 1 -name '*.crt' ! -name ca.crt -delete   # issued by a CA that is gone
fi

# issue ROLE USAGES [NAME]: a node certificate NAME.crt (default ROLE.crt) whose only OU is ROLE.
issue() {
    local role=$1 usages=$2 name=${3:-$1}
    if [ -s "$name.crt" ] && [ -s "$name.key" ] \
        && openssl verify -CAfile ca.crt "$name.crt" >/dev/null 2>&1 \
        && openssl x509 -in "$name.crt" -noout -checkend $((7 * 86400)) >/dev/null; then
        return 0
    fi
    echo "dev-certs: issuing the '$name' certificate in $dir" >&2
    new_key "$name.key"
    openssl req -new -key "$name.key" -out "$name.csr" -subj "/O=Surveillance development/OU=$role/CN=surveillance-$name"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -sha256 -days 397 \
        -set_serial "0x$(openssl rand -hex 16)" -out "$name.crt.tmp" -extfile <(printf '%s\n' \
            "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature" \
            "extendedKeyUsage=$usages" \
            "subjectAltName=DNS:localhost,IP:127.0.0.1") 2>/dev/null
    rm -f "$name.csr"
    mv -f "$name.crt.tmp" "$name.crt"
}

issue silo serverAuth,clientAuth
issue api clientAuth
for node in "${@:2}"; do
    [[ ${node%%=*} =~ ^[a-z][a-z0-9-]*$ ]] || { echo "error: '$node': NAME must be lower-case letters, digits, '-'" >&2; exit 2; }
    case ${node#*=} in
        silo) issue silo serverAuth,clientAuth "${node%%=*}" ;;
        api) issue api clientAuth "${node%%=*}" ;;
        *) echo "error: '$node': expected NAME=silo or NAME=api" >&2; exit 2 ;;
    esac
done
issue https serverAuth
chmod 600 ./*.key
chmod 644 ./*.crt
