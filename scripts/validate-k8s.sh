#!/usr/bin/env bash
# Validates deploy/k8s: `kubectl kustomize` must render it, and every document (the secret
# template included) must pass the Kubernetes schema and the consistency checks of
# scripts/validate-k8s.mjs, so that a typo fails the build. Run by ./test.sh; installs what it
# needs: kubectl (Debian's kubernetes-client) and Node.js with apt, the npm packages
# kubernetes-models and yaml (pinned) from the npm registry into .test-data/k8s-validate.
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

command -v kubectl >/dev/null || apt_install kubernetes-client
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm

tools="$PWD/.test-data/k8s-validate"
mkdir -p "$tools"
if [ ! -d "$tools/node_modules/kubernetes-models" ] || [ ! -d "$tools/node_modules/yaml" ]; then
    log "npm install kubernetes-models yaml (into $tools)"
    (cd "$tools" && npm install --no-audit --no-fund --silent --no-package-lock kubernetes-models@5.1.0 yaml@2.8.1 >&2)
fi

rendered="$tools/rendered.yaml"
kubectl kustomize deploy/k8s >"$rendered"
cp scripts/validate-k8s.mjs "$tools/validate-k8s.mjs"
node "$tools/validate-k8s.mjs" "$rendered" "$PWD/deploy/k8s/secret.template.yaml"
