// Validates rendered Kubernetes manifests (kubectl kustomize output) for Tend.
//
//   node validate.mjs [options] NAME=FILE...
//     --rules FILE          Prometheus rule file that the PrometheusRule must equal
//     --dashboard FILE      Grafana dashboard whose tend_* metrics are checked
//     --expect-invalid      every FILE must be rejected; a file may name the
//                           message it must be rejected with in a line
//                           "# expect: TEXT"
//
// Each object is checked in three ways:
//   1. schema: the kubernetes-models class for its apiVersion/kind validates
//      it (types, required fields, enums, formats) with
//      @kubernetes-models/validate; ServiceMonitor and PrometheusRule use
//      @kubernetes-models/prometheus-operator. Another CRD is skipped with a
//      note; an unknown built-in apiVersion/kind is an error.
//   2. fields: every field must exist in the schema (the API server's strict
//      field validation; the compiled schemas allow unknown fields, so they
//      are checked against the models' type declarations).
//   3. policy: what Tend's deployment promises (deploy/README.md): resources,
//      securityContext, gRPC probes, grace period longer than the drain,
//      topology spread, references between objects that resolve, and alerts
//      and dashboards that name only metrics the services export.
// Exit status: 0 when everything is as expected, 1 otherwise.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse as parseYaml } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));

// The metrics the services export (issue 7): name -> type.
export const METRICS = {
  tend_rpc_requests_total: "counter",
  tend_rpc_latency_seconds: "histogram",
  tend_queue_depth: "gauge",
  tend_queue_due_unclaimed: "gauge",
  tend_queue_oldest_overdue_seconds: "gauge",
  tend_dispatch_lateness_seconds: "histogram",
  tend_deliveries_total: "counter",
  tend_delivery_retries_total: "counter",
  tend_dead_letters_total: "counter",
  tend_lease_recoveries_total: "counter",
  tend_redis_command_latency_seconds: "histogram",
  tend_redis_errors_total: "counter",
};
const TEND_SERVICES = ["tend-pairing", "tend-prompt", "tend-scheduler"];

// ---------------------------------------------------------------------------
// 1. Schemas

function modelModule(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (group === "") return { builtin: true, spec: `kubernetes-models/${version}/${kind}` };
  if (group === "monitoring.coreos.com") {
    return {
      builtin: true,
      spec: `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`,
    };
  }
  const builtin = !group.includes(".") || group.endsWith(".k8s.io");
  return { builtin, spec: builtin ? `kubernetes-models/${group}/${version}/${kind}` : null };
}

const modelCache = new Map();
async function loadModel(spec) {
  if (!modelCache.has(spec)) {
    modelCache.set(
      spec,
      import(spec).then(
        (m) => m,
        () => null,
      ),
    );
  }
  return modelCache.get(spec);
}

// ---------------------------------------------------------------------------
// 2. Unknown fields, from the models' .d.ts declarations.

const dtsCache = new Map();

function findPackageFile(fromFile, spec) {
  const parts = spec.split("/");
  const pkg = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const sub = parts.slice(spec.startsWith("@") ? 2 : 1).join("/");
  let dir = path.dirname(fromFile);
  for (;;) {
    const root = path.join(dir, "node_modules", pkg);
    if (fs.existsSync(root)) {
      for (const candidate of [
        path.join(root, `${sub}.d.ts`),
        path.join(root, sub, "index.d.ts"),
        path.join(root, "dist", `${sub}.d.ts`),
      ]) {
        if (sub && fs.existsSync(candidate)) return candidate;
      }
      return null;
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function resolveImport(fromFile, spec) {
  if (spec.startsWith(".")) {
    const file = path.resolve(path.dirname(fromFile), spec.replace(/\.js$/, "") + ".d.ts");
    return fs.existsSync(file) ? file : null;
  }
  return findPackageFile(fromFile, spec);
}

// Reads text[i..] up to the matching close of the bracket at text[i].
function matchBracket(text, i) {
  const open = text[i];
  const close = { "{": "}", "<": ">", "(": ")", "[": "]" }[open];
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"' || c === "'") {
      j = text.indexOf(c, j + 1);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j;
  }
  return text.length - 1;
}

// Reads a type from text[i..] up to a ';' (or end) at depth 0.
function readType(text, i) {
  let j = i;
  while (j < text.length) {
    const c = text[j];
    if (c === ";") break;
    if (c === "{" || c === "(" || c === "[" || (c === "<" && text[j - 1] !== "=")) {
      j = matchBracket(text, j) + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      j = text.indexOf(c, j + 1) + 1;
      continue;
    }
    j++;
  }
  return { type: text.slice(i, j).trim(), end: j + 1 };
}

// Parses "{ "a"?: T; [key: string]: U; }" bodies into {props, index}.
function parseMembers(body) {
  const props = new Map();
  let index = null;
  let i = 0;
  const member = /\s*(?:"([^"]+)"|([A-Za-z_$][\w$]*)|\[\s*\w+\s*:\s*string\s*\])\s*(\?)?\s*:/y;
  while (i < body.length) {
    member.lastIndex = i;
    const m = member.exec(body);
    if (!m) {
      i++;
      continue;
    }
    const { type, end } = readType(body, member.lastIndex);
    if (m[1] === undefined && m[2] === undefined) index = type;
    else props.set(m[1] ?? m[2], type);
    i = end;
  }
  return { props, index };
}

function parseDts(file) {
  if (dtsCache.has(file)) return dtsCache.get(file);
  const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of m[1].split(",")) {
      const [orig, local] = name.trim().split(/\s+as\s+/);
      if (orig) imports.set((local ?? orig).trim(), { spec: m[2], name: orig.trim() });
    }
  }
  const decls = new Map();
  for (const m of text.matchAll(/export\s+interface\s+([\w$]+)(?:\s+extends\s+([^{]+))?\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const body = text.slice(open + 1, matchBracket(text, open));
    decls.set(m[1], {
      kind: "interface",
      extends: (m[2] ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      ...parseMembers(body),
    });
  }
  for (const m of text.matchAll(/export\s+type\s+([\w$]+)\s*=\s*/g)) {
    const { type } = readType(text, m.index + m[0].length);
    decls.set(m[1], { kind: "alias", type });
  }
  for (const m of text.matchAll(/export\s+type\s*\{([^}]*)\}/g)) {
    for (const entry of m[1].split(",")) {
      const [local, exported] = entry.trim().split(/\s+as\s+/);
      if (exported && decls.has(local)) decls.set(exported.trim(), decls.get(local));
    }
  }
  const parsed = { file, imports, decls };
  dtsCache.set(file, parsed);
  return parsed;
}

const LEAF = { leaf: true };

// Looks a type name up in a file: its own declarations, then its imports.
function lookup(file, name, seen = 0) {
  if (seen > 20) return null;
  const dts = parseDts(file);
  if (dts.decls.has(name)) return { file, decl: dts.decls.get(name) };
  const imp = dts.imports.get(name);
  if (!imp) return null;
  const target = resolveImport(file, imp.spec);
  return target ? lookup(target, imp.name, seen + 1) : null;
}

function splitTopLevel(text, sep) {
  const out = [];
  let start = 0;
  for (let j = 0; j < text.length; j++) {
    const c = text[j];
    if (c === "{" || c === "(" || c === "[" || c === "<") j = matchBracket(text, j);
    else if (c === '"' || c === "'") j = text.indexOf(c, j + 1);
    else if (c === sep) {
      out.push(text.slice(start, j));
      start = j + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

// A type's shape: LEAF, {array: shape}, or {object: {props, index, file}}.
function shapeOf(typeText, file, depth = 0) {
  const t = typeText.trim();
  if (depth > 30) return LEAF;
  const union = splitTopLevel(t, "|");
  if (union.length > 1) {
    const shapes = union.filter((u) => u !== "null" && u !== "undefined").map((u) => shapeOf(u, file, depth + 1));
    const structured = shapes.filter((s) => !s.leaf);
    return structured.length === 1 && shapes.length === 1 ? structured[0] : LEAF;
  }
  let m = /^Array<([\s\S]*)>$/.exec(t) ?? /^([\s\S]*)\[\]$/.exec(t);
  if (m) return { array: shapeOf(m[1], file, depth + 1) };
  if (t.startsWith("{")) {
    const { props, index } = parseMembers(t.slice(1, matchBracket(t, 0)));
    return { object: { props, index, file } };
  }
  if (/^[A-Za-z_$][\w$]*$/.test(t)) {
    if (["string", "number", "boolean", "any", "unknown", "object", "never"].includes(t)) return LEAF;
    const found = lookup(file, t);
    if (!found) return LEAF;
    if (found.decl.kind === "alias") return shapeOf(found.decl.type, found.file, depth + 1);
    const props = new Map();
    let index = found.decl.index;
    for (const base of found.decl.extends) {
      const b = shapeOf(base.replace(/<[\s\S]*>$/, ""), found.file, depth + 1);
      if (b.object) {
        for (const [k, v] of b.object.props) props.set(k, { type: v.type ?? v, file: b.object.file });
        index ??= b.object.index;
      }
    }
    for (const [k, v] of found.decl.props) props.set(k, { type: v, file: found.file });
    return { object: { props, index, file: found.file } };
  }
  return LEAF;
}

function checkFields(value, shape, where, errors) {
  if (shape.leaf || value === null || value === undefined) return;
  if (shape.array) {
    if (Array.isArray(value)) value.forEach((v, i) => checkFields(v, shape.array, `${where}[${i}]`, errors));
    return;
  }
  if (typeof value !== "object" || Array.isArray(value)) return;
  const { props, index, file } = shape.object;
  for (const [key, v] of Object.entries(value)) {
    const prop = props.get(key);
    if (prop) {
      const t = typeof prop === "string" ? { type: prop, file } : prop;
      checkFields(v, shapeOf(t.type, t.file), `${where}.${key}`, errors);
    } else if (index) {
      checkFields(v, shapeOf(index, file), `${where}.${key}`, errors);
    } else {
      errors.push(`${where}.${key}: unknown field`);
    }
  }
}

function rootShape(spec, kind) {
  const file = findPackageFile(path.join(here, "validate.mjs"), spec);
  if (!file) return null;
  const dts = parseDts(file);
  const decl = dts.decls.get(`I${kind}`);
  if (!decl) return null;
  const shape = shapeOf(`I${kind}`, file);
  // TypeMeta (apiVersion, kind) comes from @kubernetes-models/base.
  shape.object.props.set("apiVersion", { type: "string", file });
  shape.object.props.set("kind", { type: "string", file });
  return shape;
}

// ---------------------------------------------------------------------------
// 3. Tend's policy

const durationSeconds = (text) => {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let m;
  let matched = "";
  while ((m = re.exec(String(text)))) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
    matched += m[0];
  }
  return matched === String(text) ? total : NaN;
};

const id = (o) => `${o.kind}/${o.metadata?.name}`;

function selects(selector, labels) {
  if (!selector) return false;
  const ml = selector.matchLabels ?? (selector.matchExpressions ? {} : selector);
  for (const [k, v] of Object.entries(ml)) if (labels?.[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = labels && e.key in labels;
    const val = labels?.[e.key];
    if (e.operator === "In" && !(has && e.values.includes(val))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(val)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function policy(objects, errors, notes) {
  const byKind = (k) => objects.filter((o) => o.kind === k);
  const named = new Map(objects.map((o) => [id(o), o]));
  const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind));
  const pods = workloads.map((w) => ({ w, tpl: w.spec?.template }));
  const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c]));
  const secrets = new Set(byKind("Secret").map((s) => s.metadata.name));
  const external = new Set();
  const optionalRefs = new Set();

  for (const o of objects) {
    if (o.kind !== "Namespace" && !o.metadata?.namespace) {
      errors.push(`${id(o)}: no namespace (overlays set one)`);
    }
  }

  for (const { w, tpl } of pods) {
    const spec = tpl?.spec ?? {};
    const podSc = spec.securityContext ?? {};
    const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    for (const c of containers) {
      const where = `${id(w)} container ${c.name}`;
      for (const part of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) {
          if (!c.resources?.[part]?.[r]) errors.push(`${where}: resources.${part}.${r} is not set`);
        }
      }
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) errors.push(`${where}: securityContext.allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true) errors.push(`${where}: securityContext.readOnlyRootFilesystem must be true`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${where}: securityContext.capabilities.drop must hold ALL`);
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) errors.push(`${where}: runAsNonRoot must be true`);
      if ((sc.runAsUser ?? podSc.runAsUser) === 0) errors.push(`${where}: runs as uid 0`);
      if ((sc.seccompProfile?.type ?? podSc.seccompProfile?.type) !== "RuntimeDefault") {
        errors.push(`${where}: seccompProfile must be RuntimeDefault`);
      }
      // References to ConfigMaps and Secrets.
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef && !configMaps.has(ef.configMapRef.name) && !ef.configMapRef.optional) {
          errors.push(`${where}: envFrom ConfigMap ${ef.configMapRef.name} is not rendered`);
        }
        if (ef.secretRef && !secrets.has(ef.secretRef.name)) external.add(ef.secretRef.name);
      }
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && !cm.optional && !configMaps.get(cm.name)?.data?.[cm.key]) {
          errors.push(`${where}: env ${e.name} names ConfigMap key ${cm.name}/${cm.key}, which is not rendered`);
        }
        const s = e.valueFrom?.secretKeyRef;
        if (s && !secrets.has(s.name)) (s.optional ? optionalRefs : external).add(s.name);
      }
    }
    for (const v of spec.volumes ?? []) {
      if (v.configMap && !configMaps.has(v.configMap.name) && !v.configMap.optional) {
        errors.push(`${id(w)}: volume ${v.name} names ConfigMap ${v.configMap.name}, which is not rendered`);
      }
      if (v.secret && !secrets.has(v.secret.secretName)) {
        (v.secret.optional ? optionalRefs : external).add(v.secret.secretName);
      }
    }
    if (w.kind !== "DaemonSet" && !(spec.topologySpreadConstraints?.length > 0) && (w.spec.replicas ?? 2) > 1) {
      errors.push(`${id(w)}: no topologySpreadConstraints`);
    }
  }

  // Tend's own services.
  for (const name of TEND_SERVICES) {
    const d = named.get(`Deployment/${name}`);
    if (!d) {
      errors.push(`Deployment/${name} is not rendered`);
      continue;
    }
    const spec = d.spec.template.spec;
    const c = spec.containers[0];
    const env = {};
    for (const ef of c.envFrom ?? []) {
      Object.assign(env, configMaps.get(ef.configMapRef?.name)?.data ?? {});
    }
    const explicit = new Map((c.env ?? []).map((e) => [e.name, e]));
    for (const [k, e] of explicit) env[k] = e.value ?? `<${Object.keys(e.valueFrom ?? {})[0]}>`;
    const grpcPort = (c.ports ?? []).find((p) => p.name === "grpc")?.containerPort;
    if (!grpcPort) errors.push(`${id(d)}: no container port named grpc`);
    if (!(c.ports ?? []).some((p) => p.name === "metrics")) errors.push(`${id(d)}: no container port named metrics`);
    for (const probe of ["livenessProbe", "readinessProbe"]) {
      if (c[probe]?.grpc?.port !== grpcPort) errors.push(`${id(d)}: ${probe} must be a gRPC probe on port ${grpcPort}`);
    }
    const listen = env.TEND_LISTEN ?? "";
    if (grpcPort && !listen.endsWith(`:${grpcPort}`)) errors.push(`${id(d)}: TEND_LISTEN (${listen}) is not on port ${grpcPort}`);
    const metricsPort = (c.ports ?? []).find((p) => p.name === "metrics")?.containerPort;
    if (metricsPort && !(env.TEND_METRICS_LISTEN ?? "").endsWith(`:${metricsPort}`)) {
      errors.push(`${id(d)}: TEND_METRICS_LISTEN (${env.TEND_METRICS_LISTEN}) is not on port ${metricsPort}`);
    }
    if (!env.TEND_REDIS) errors.push(`${id(d)}: TEND_REDIS is not set (include a Redis component)`);
    if (!explicit.get("TEND_SERVICE_SECRET")?.valueFrom?.secretKeyRef) {
      errors.push(`${id(d)}: TEND_SERVICE_SECRET must come from a secretKeyRef`);
    }
    for (const k of ["TEND_JWT_SECRET", "TEND_SERVICE_SECRET"]) {
      for (const cm of configMaps.values()) {
        if (cm.data?.[k]) errors.push(`ConfigMap/${cm.metadata.name}: ${k} is a secret; use a Secret`);
      }
    }
    if (!env.TEND_JWT_PUBLIC_KEY_FILE && !explicit.get("TEND_JWT_SECRET")) {
      errors.push(`${id(d)}: neither TEND_JWT_PUBLIC_KEY_FILE nor TEND_JWT_SECRET`);
    }
    for (const [peer, svc] of [["TEND_PAIRING_ADDR", "tend-pairing"], ["TEND_PROMPT_ADDR", "tend-prompt"], ["TEND_SCHEDULER_ADDR", "tend-scheduler"]]) {
      const [host, port] = String(env[peer] ?? "").split(":");
      const s = named.get(`Service/${host}`);
      if (host !== svc || !s?.spec.ports.some((p) => String(p.port) === port)) {
        errors.push(`${id(d)}: ${peer}=${env[peer]} is not Service ${svc}'s gRPC port`);
      }
    }
    const drain = durationSeconds(env.TEND_DRAIN_TIMEOUT ?? "10s");
    const cmd = c.lifecycle?.preStop?.exec?.command ?? [];
    const preStop = cmd[0] === "sleep" ? Number(cmd[1]) : 0;
    const grace = spec.terminationGracePeriodSeconds ?? 30;
    if (!(grace > drain + preStop)) {
      errors.push(`${id(d)}: terminationGracePeriodSeconds ${grace} must exceed preStop ${preStop} s + TEND_DRAIN_TIMEOUT ${env.TEND_DRAIN_TIMEOUT}`);
    }
  }

  for (const s of byKind("Service")) {
    const targets = pods.filter(({ tpl }) => selects(s.spec.selector, tpl?.metadata?.labels));
    if (!targets.length) {
      errors.push(`${id(s)}: its selector matches no pod template`);
      continue;
    }
    for (const p of s.spec.ports ?? []) {
      if (typeof p.targetPort === "string") {
        const ok = targets.every(({ tpl }) => tpl.spec.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)));
        if (!ok) errors.push(`${id(s)}: targetPort ${p.targetPort} is no container port of the pods it selects`);
      }
    }
  }
  for (const h of byKind("HorizontalPodAutoscaler")) {
    const ref = h.spec.scaleTargetRef;
    const target = named.get(`${ref.kind}/${ref.name}`);
    if (!target) errors.push(`${id(h)}: scales ${ref.kind}/${ref.name}, which is not rendered`);
    else if (target.spec.replicas !== undefined) {
      errors.push(`${id(h)}: ${ref.kind}/${ref.name} sets spec.replicas, which every apply would reset under the autoscaler`);
    }
    if (h.spec.minReplicas > h.spec.maxReplicas) errors.push(`${id(h)}: minReplicas > maxReplicas`);
  }
  for (const p of byKind("PodDisruptionBudget")) {
    if (!pods.some(({ tpl }) => selects(p.spec.selector, tpl?.metadata?.labels))) {
      errors.push(`${id(p)}: its selector matches no pod template`);
    }
  }
  for (const n of byKind("NetworkPolicy")) {
    const sel = n.spec.podSelector ?? {};
    const all = !sel.matchLabels && !sel.matchExpressions;
    const targets = pods.filter(({ tpl }) => all || selects(sel, tpl?.metadata?.labels));
    if (!targets.length) errors.push(`${id(n)}: its podSelector matches no pod template`);
    for (const rule of n.spec.ingress ?? []) {
      for (const from of rule.from ?? []) {
        if (from.podSelector && !from.namespaceSelector && !pods.some(({ tpl }) => selects(from.podSelector, tpl?.metadata?.labels))) {
          errors.push(`${id(n)}: a "from" podSelector matches no pod template`);
        }
      }
      for (const port of rule.ports ?? []) {
        if (typeof port.port === "string" && !all) {
          const ok = targets.every(({ tpl }) => [...(tpl.spec.containers ?? [])].some((c) => (c.ports ?? []).some((cp) => cp.name === port.port)));
          if (!ok) errors.push(`${id(n)}: port ${port.port} is not a named port of every pod it selects`);
        }
      }
    }
  }
  for (const ing of byKind("Ingress")) {
    for (const rule of ing.spec.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const b = p.backend.service;
        const s = named.get(`Service/${b?.name}`);
        if (!s) errors.push(`${id(ing)}: backend Service ${b?.name} is not rendered`);
        else if (!s.spec.ports.some((sp) => (b.port.name ? sp.name === b.port.name : sp.port === b.port.number))) {
          errors.push(`${id(ing)}: Service ${b.name} has no port ${b.port.name ?? b.port.number}`);
        }
      }
    }
    for (const t of ing.spec.tls ?? []) if (!secrets.has(t.secretName)) external.add(t.secretName);
  }
  for (const sm of byKind("ServiceMonitor")) {
    const services = byKind("Service").filter((s) => selects(sm.spec.selector, s.metadata.labels));
    if (!services.length) errors.push(`${id(sm)}: selects no Service`);
    for (const ep of sm.spec.endpoints ?? []) {
      for (const s of services) {
        if (!s.spec.ports.some((p) => p.name === ep.port)) errors.push(`${id(sm)}: Service ${s.metadata.name} has no port ${ep.port}`);
      }
    }
  }
  for (const t of pods.map(({ w, tpl }) => ({ w, a: tpl?.metadata?.annotations ?? {} }))) {
    if (t.a["prometheus.io/scrape"] === "true") {
      const port = Number(t.a["prometheus.io/port"]);
      const ok = t.w.spec.template.spec.containers.some((c) => (c.ports ?? []).some((p) => p.containerPort === port));
      if (!ok) errors.push(`${id(t.w)}: prometheus.io/port ${t.a["prometheus.io/port"]} is no container port`);
    }
  }
  if (external.size) notes.push(`Secrets the cluster must already hold: ${[...external].sort().join(", ")}`);
  const optional = [...optionalRefs].filter((s) => !external.has(s));
  if (optional.length) notes.push(`Secrets used when present: ${optional.sort().join(", ")}`);
}

// Every tend_* metric an expression names must be exported.
function checkMetricNames(text, where, errors) {
  for (const m of String(text).matchAll(/\btend_[a-z0-9_]+/g)) {
    const name = m[0];
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const type = METRICS[name] ?? METRICS[base];
    if (!type) errors.push(`${where}: ${name} is not a metric Tend exports`);
    else if (METRICS[name] === "histogram") errors.push(`${where}: ${name} is a histogram; use ${name}_bucket, _sum or _count`);
    else if (name !== base && METRICS[base] !== "histogram") errors.push(`${where}: ${name}: ${base} is a ${METRICS[base]}, not a histogram`);
  }
}

// JSON with sorted keys: kustomize reorders keys, which is no difference.
const canonical = (v) =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(",")}]`
    : v && typeof v === "object"
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`
      : JSON.stringify(v);

function checkRules(objects, rulesFile, errors) {
  const rules = parseYaml(fs.readFileSync(rulesFile, "utf8"));
  const walk = (groups, where) => {
    for (const g of groups ?? []) {
      for (const r of g.rules ?? []) checkMetricNames(r.expr, `${where} ${r.alert ?? r.record}`, errors);
    }
  };
  walk(rules.groups, path.basename(rulesFile));
  for (const pr of objects.filter((o) => o.kind === "PrometheusRule")) {
    if (canonical(pr.spec.groups) !== canonical(rules.groups)) {
      errors.push(`${id(pr)}: spec.groups differ from ${path.basename(rulesFile)}; copy them over`);
    }
  }
}

function checkDashboard(file, errors) {
  let board;
  try {
    board = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    errors.push(`${file}: not JSON: ${e.message}`);
    return;
  }
  const panels = [];
  const collect = (list) => {
    for (const p of list ?? []) {
      panels.push(p);
      collect(p.panels);
    }
  };
  collect(board.panels);
  if (!panels.some((p) => p.type !== "row")) errors.push(`${file}: no panels`);
  const ids = new Set();
  for (const p of panels) {
    if (ids.has(p.id)) errors.push(`${file}: panel id ${p.id} is used twice`);
    ids.add(p.id);
    if (p.type === "row") continue;
    if (!p.targets?.length) errors.push(`${file}: panel "${p.title}" has no queries`);
    for (const t of p.targets ?? []) checkMetricNames(t.expr, `${file} panel "${p.title}"`, errors);
  }
  const names = panels.map((p) => `${p.title}`.toLowerCase()).join("\n");
  for (const needed of ["lateness", "deliveries", "error", "queue depth", "overdue"]) {
    if (!names.includes(needed)) errors.push(`${file}: no panel about "${needed}"`);
  }
}

// ---------------------------------------------------------------------------

async function validateObject(o, errors, notes) {
  if (!o || typeof o !== "object") return errors.push("a document is not an object");
  if (!o.apiVersion || !o.kind) return errors.push(`${id(o)}: no apiVersion or kind`);
  const where = `${o.kind}/${o.metadata?.name ?? "?"} (${o.apiVersion})`;
  const { builtin, spec } = modelModule(o.apiVersion, o.kind);
  const mod = spec && (await loadModel(spec));
  const Model = mod?.[o.kind];
  if (!Model) {
    if (builtin) errors.push(`${where}: no such apiVersion/kind in the Kubernetes schemas`);
    else notes.push(`${where}: skipped (no schema for this custom resource)`);
    return;
  }
  try {
    new Model(structuredClone(o)).validate();
  } catch (e) {
    for (const line of String(e.message).split(/,\s*(?=data)/)) errors.push(`${where}: ${line.replace(/^data/, "")}`);
  }
  const shape = rootShape(spec, o.kind);
  const unknown = [];
  if (shape) checkFields(o, shape, "", unknown);
  for (const e of unknown) errors.push(`${where}: ${e}`);
  if (shape) {
  } else notes.push(`${where}: unknown fields not checked (no type declarations)`);
}

async function validateFile(name, file, options) {
  const errors = [];
  const notes = [];
  const text = fs.readFileSync(file, "utf8");
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) {
      errors.push(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const o = doc.toJSON();
    if (o !== null && o !== undefined) objects.push(o);
  }
  if (!objects.length) errors.push("no objects");
  for (const o of objects) await validateObject(o, errors, notes);
  if (!options.schemaOnly) {
    policy(objects, errors, notes);
    if (options.rules) checkRules(objects, options.rules, errors);
  }
  return { name, objects, errors, notes, expect: /^#\s*expect:\s*(.+)$/m.exec(text)?.[1].trim() };
}

async function main() {
  const args = process.argv.slice(2);
  const options = { expectInvalid: false, rules: null, dashboard: null, schemaOnly: false };
  const inputs = [];
  while (args.length) {
    const a = args.shift();
    if (a === "--expect-invalid") options.expectInvalid = true;
    else if (a === "--schema-only") options.schemaOnly = true;
    else if (a === "--rules") options.rules = args.shift();
    else if (a === "--dashboard") options.dashboard = args.shift();
    else if (a.includes("=")) inputs.push(a.split(/=(.*)/s).slice(0, 2));
    else inputs.push([path.basename(a), a]);
  }
  let passed = 0;
  let failed = 0;
  for (const [name, file] of inputs) {
    const r = await validateFile(name, file, options);
    if (options.expectInvalid) {
      if (!r.expect) {
        failed++;
        console.log(`FAIL ${name}: has no "# expect: MESSAGE" line saying why it must be rejected`);
        continue;
      }
      const matched = r.expect ? r.errors.some((e) => e.includes(r.expect)) : r.errors.length > 0;
      if (matched) {
        passed++;
        console.log(`ok   ${name}: rejected as expected: ${r.errors.find((e) => !r.expect || e.includes(r.expect))}`);
      } else {
        failed++;
        console.log(`FAIL ${name}: ${r.errors.length ? `rejected, but not with "${r.expect}":` : "was accepted"}`);
        for (const e of r.errors) console.log(`       ${e}`);
      }
      continue;
    }
    for (const n of r.notes) console.log(`note ${name}: ${n}`);
    if (r.errors.length) {
      failed++;
      console.log(`FAIL ${name}: ${r.errors.length} problem(s) in ${r.objects.length} objects`);
      for (const e of r.errors) console.log(`       ${e}`);
    } else {
      passed++;
      const kinds = {};
      for (const o of r.objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
      console.log(`ok   ${name}: ${r.objects.length} objects valid (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ")})`);
    }
  }
  if (options.dashboard) {
    const errors = [];
    checkDashboard(options.dashboard, errors);
    if (errors.length) {
      failed++;
      console.log(`FAIL ${path.basename(options.dashboard)}:`);
      for (const e of errors) console.log(`       ${e}`);
    } else {
      passed++;
      console.log(`ok   ${path.basename(options.dashboard)}: every panel queries exported tend_* metrics`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed || !passed ? 1 : 0);
}

await main();
