// Validates the Kubernetes manifests (run by scripts/validate-k8s.sh, from ./test.sh):
// every document of `kubectl kustomize deploy/k8s` and of the secret template against the
// Kubernetes schema (kubernetes-models), then the trust boundaries they encode (README "Trust
// boundaries"): which pod gets which Secret, and that every NetworkPolicy selects real pods on
// real ports. Usage: node validate-k8s.mjs <rendered.yaml> <secret.template.yaml>
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const models = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
};

const failures = [];
const fail = (message) => failures.push(message);

async function load(file) {
  const docs = [];
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      fail(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const object = doc.toJS();
    if (object === null) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    const where = `${file}: ${key} ${object.metadata?.name ?? "(no name)"}`;
    if (!models[key]) {
      fail(`${where}: no schema for this apiVersion/kind (a typo?)`);
      continue;
    }
    const Model = Object.values(await import(models[key]))[0];
    try {
      new Model(object).validate();
    } catch (e) {
      fail(`${where}: ${e.message}`);
    }
    docs.push(object);
  }
  return docs;
}

const [rendered, template] = process.argv.slice(2);
const manifests = await load(rendered);
const secrets = await load(template);

// Secrets only where they are read.
const apiKeys = new Set(["Auth__JwtSecret", "Audit__HmacKey", "ConnectionStrings__Orleans"]);
const siloOnly = ["Auth__PasswordPepper", "Results__HmacKey", "SURVEILLANCE_ADMIN_PASSWORD"];
const secretKeys = Object.fromEntries(secrets.filter((s) => s.kind === "Secret").map((s) => [s.metadata.name, Object.keys(s.stringData ?? {})]));
for (const name of ["surveillance-api-secrets", "surveillance-silo-secrets", "surveillance-migrator-secrets"]) {
  if (!secretKeys[name]) fail(`no Secret ${name} in the template`);
}
for (const key of secretKeys["surveillance-api-secrets"] ?? []) {
  if (!apiKeys.has(key)) fail(`surveillance-api-secrets holds ${key}, which the API does not read`);
}
for (const key of secretKeys["surveillance-silo-secrets"] ?? []) {
  if (key === "Auth__JwtSecret" || key.includes("OrleansMigrations")) fail(`surveillance-silo-secrets holds ${key}, which the silo process must not hold`);
}
for (const key of siloOnly) {
  if (!(secretKeys["surveillance-silo-secrets"] ?? []).includes(key)) fail(`surveillance-silo-secrets lacks ${key}`);
}
for (const secret of secrets.filter((s) => s.kind === "Secret")) {
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    if (key.startsWith("ConnectionStrings__") && !(/SSL Mode=VerifyFull/.test(value) && /Root Certificate=/.test(value))) {
      fail(`${secret.metadata.name}/${key} must verify the server: SSL Mode=VerifyFull and a Root Certificate`);
    }
  }
}

const deployments = manifests.filter((m) => m.kind === "Deployment");
const secretsOf = (containers) => (containers ?? []).flatMap((c) => [
  ...(c.envFrom ?? []).map((e) => e.secretRef?.name).filter(Boolean),
  ...(c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name).filter(Boolean),
]);
const expected = {
  "surveillance-api": { containers: ["surveillance-api-secrets"], initContainers: [] },
  "surveillance-silo": { containers: ["surveillance-silo-secrets"], initContainers: ["surveillance-silo-secrets", "surveillance-migrator-secrets"] },
};
for (const [name, want] of Object.entries(expected)) {
  const deployment = deployments.find((d) => d.metadata.name === name);
  if (!deployment) {
    fail(`no Deployment ${name}`);
    continue;
  }
  for (const part of ["containers", "initContainers"]) {
    for (const secret of secretsOf(deployment.spec.template.spec[part])) {
      if (!want[part].includes(secret)) fail(`${name} ${part} read Secret ${secret}; allowed: ${want[part].join(", ") || "none"}`);
    }
  }
}

// Every NetworkPolicy selects pods that exist, and opens ports those pods (or their peers) listen on.
const podLabels = deployments.map((d) => d.spec.template.metadata.labels ?? {});
const ports = new Set(deployments.flatMap((d) => d.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort))));
const selects = (selector) => podLabels.some((labels) => Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
const policies = manifests.filter((m) => m.kind === "NetworkPolicy");
if (!policies.some((p) => Object.keys(p.spec.podSelector ?? {}).length === 0 && !p.spec.ingress && !p.spec.egress
    && ["Ingress", "Egress"].every((t) => p.spec.policyTypes?.includes(t)))) {
  fail("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)");
}
for (const policy of policies) {
  const name = `NetworkPolicy ${policy.metadata.name}`;
  if (Object.keys(policy.spec.podSelector?.matchLabels ?? {}).length > 0 && !selects(policy.spec.podSelector)) fail(`${name} selects no pod of the Deployments`);
  for (const rule of [...(policy.spec.ingress ?? []).map((r) => r.from), ...(policy.spec.egress ?? []).map((r) => r.to)]) {
    for (const peer of rule ?? []) {
      if (peer.podSelector && !peer.namespaceSelector && !selects(peer.podSelector)) fail(`${name} names a peer that matches no pod: ${JSON.stringify(peer.podSelector)}`);
    }
  }
  for (const rule of policy.spec.ingress ?? []) {
    for (const port of rule.ports ?? []) {
      if (!ports.has(port.port)) fail(`${name} opens port ${port.port}, on which no container listens`);
    }
  }
}

if (failures.length > 0) {
  console.error(failures.map((f) => `k8s: ${f}`).join("\n"));
  process.exit(1);
}
console.log(`k8s: ${manifests.length + secrets.length} documents valid; secrets and network policies consistent`);
