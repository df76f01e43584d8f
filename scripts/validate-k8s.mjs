// Validates the Kubernetes manifests (run by scripts/validate-k8s.sh, from ./test.sh):
// every document of `kubectl kustomize deploy/k8s` and of the secret template against the
// Kubernetes schema (kubernetes-models), then the trust boundaries they encode (README "Trust
// boundaries"): which pod gets which Secret, and that every NetworkPolicy selects real pods on
// real ports; and the operational contract (issue 14): one ReadWriteMany volume for the videos in
// every pod, probes on the health endpoints, graceful shutdown inside the grace period, explicit
// ClusterId/ServiceId, silos spread over nodes, a PodDisruptionBudget per Deployment. Usage: node validate-k8s.mjs <rendered.yaml> <secret.template.yaml>
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const models = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/PersistentVolumeClaim": "kubernetes-models/v1/PersistentVolumeClaim",
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

// Issue 14: what a multi-pod deployment needs to work and to stop cleanly.
const envOf = (container) => Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
const claims = manifests.filter((m) => m.kind === "PersistentVolumeClaim");
const dataPath = "/var/lib/surveillance";
const clusterIds = new Set();
for (const deployment of deployments) {
  const name = deployment.metadata.name;
  const pod = deployment.spec.template.spec;
  const main = pod.containers[0];
  const env = envOf(main);
  // Videos: the mount at Storage__DataPath is a claim on a ReadWriteMany PVC, the same one everywhere.
  if (env.Storage__DataPath !== dataPath) fail(`${name}: Storage__DataPath must be ${dataPath}`);
  const mount = (main.volumeMounts ?? []).find((m) => m.mountPath === dataPath);
  const volume = mount && (pod.volumes ?? []).find((v) => v.name === mount.name);
  const claim = volume?.persistentVolumeClaim && claims.find((c) => c.metadata.name === volume.persistentVolumeClaim.claimName);
  if (!claim) fail(`${name}: ${dataPath} is not a PersistentVolumeClaim of the manifests (an emptyDir loses videos and is not shared between pods)`);
  else if (!(claim.spec.accessModes ?? []).includes("ReadWriteMany")) fail(`${name}: the PVC ${claim.metadata.name} is not ReadWriteMany`);
  if (pod.securityContext?.fsGroup !== 1654 || pod.securityContext?.runAsUser !== 1654) fail(`${name}: runAsUser and fsGroup must be 1654, the images' user`);
  // ClusterId/ServiceId explicit, and the same for every Deployment.
  for (const key of ["Orleans__ClusterId", "Orleans__ServiceId"]) {
    if (!env[key]) fail(`${name}: ${key} is not set explicitly in env`);
  }
  clusterIds.add(`${env.Orleans__ClusterId}/${env.Orleans__ServiceId}`);
  // Graceful shutdown fits the grace period: preStop sleep + HostOptions.ShutdownTimeout < grace.
  const shutdown = Number(env.DOTNET_SHUTDOWNTIMEOUTSECONDS);
  const grace = pod.terminationGracePeriodSeconds;
  const preStop = main.lifecycle?.preStop?.exec?.command;
  const pause = preStop?.[0] === "sleep" ? Number(preStop[1]) : 0;
  if (!Number.isInteger(shutdown) || shutdown <= 0) fail(`${name}: DOTNET_SHUTDOWNTIMEOUTSECONDS (HostOptions.ShutdownTimeout) is not set`);
  else if (!(grace > pause + shutdown)) fail(`${name}: terminationGracePeriodSeconds (${grace}) must exceed preStop ${pause} s + shutdown timeout ${shutdown} s`);
  // Probes on the health endpoints: readiness on /health/ready, liveness and startup on /health/live.
  const wantPort = name === "surveillance-silo" ? "health" : "http";
  for (const [probe, path] of [["readinessProbe", "/health/ready"], ["livenessProbe", "/health/live"], ["startupProbe", "/health/live"]]) {
    const get = main[probe]?.httpGet;
    if (!get || get.path !== path || get.port !== wantPort) fail(`${name}: ${probe} must be GET ${path} on port ${wantPort}`);
  }
  if (!manifests.some((m) => m.kind === "PodDisruptionBudget" && Object.entries(m.spec.selector?.matchLabels ?? {}).every(([k, v]) => deployment.spec.template.metadata.labels?.[k] === v))) {
    fail(`${name}: no PodDisruptionBudget selects its pods`);
  }
}
if (clusterIds.size > 1) fail(`the Deployments disagree on ClusterId/ServiceId: ${[...clusterIds].join(", ")}`);
const silo = deployments.find((d) => d.metadata.name === "surveillance-silo");
if (silo) {
  const main = silo.spec.template.spec.containers[0];
  const healthPort = (main.ports ?? []).find((p) => p.name === "health")?.containerPort;
  const healthUrl = envOf(main).Silo__HealthUrl ?? "";
  if (!healthPort || !healthUrl.endsWith(`:${healthPort}`)) fail(`surveillance-silo: Silo__HealthUrl (${healthUrl}) must listen on the container port named health (${healthPort})`);
  if (!/^https?:\/\/(0\.0\.0\.0|\*|\+|\[::\]):/.test(healthUrl)) fail(`surveillance-silo: Silo__HealthUrl must bind all interfaces, or the kubelet cannot reach it at the pod IP`);
  if (!(envOf(main).Silo__DashboardUrl ?? "http://127.0.0.1:").startsWith("http://127.0.0.1:")) fail("surveillance-silo: the dashboard must stay on loopback");
  if (!(silo.spec.template.spec.topologySpreadConstraints ?? []).some((t) => t.topologyKey === "kubernetes.io/hostname" && t.whenUnsatisfiable === "DoNotSchedule")) {
    fail("surveillance-silo: no topology spread constraint keeps silos on different nodes (kubernetes.io/hostname, DoNotSchedule)");
  }
}

if (failures.length > 0) {
  console.error(failures.map((f) => `k8s: ${f}`).join("\n"));
  process.exit(1);
}
console.log(`k8s: ${manifests.length + secrets.length} documents valid; secrets and network policies consistent; shared RWX video volume, health probes, shutdown inside the grace period`);
