/**
 * A container's environment, as upstream's kubelet builds it (kubelet_pods.go makeEnvironmentVariables):
 *   1. service variables: FOO_SERVICE_HOST/PORT[_NAME] and the docker-link FOO_PORT* for every Service with a
 *      cluster IP in the pod's namespace (when enableServiceLinks), and always for the `kubernetes` Service of
 *      the default namespace (envvars.FromServices);
 *   2. envFrom (configMapRef/secretRef, prefix, optional; keys that are no valid variable names are skipped with an
 *      InvalidEnvironmentVariableNames event);
 *   3. env in order: `value` with $(VAR) expanded against what is declared so far and the service variables,
 *      or valueFrom (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef; a missing optional key leaves
 *      the variable unset);
 *   4. the service variables not already declared.
 * Also the downward API's values (fieldRef paths, resourceFieldRef), which volumes share.
 */
import { cpus, totalmem } from 'node:os';
import type { Container, EnvVar, Pod, Service } from 'kubernetes-types/core/v1.d.ts';
import { parseQuantity as parseQ } from '../api/validation/quantity.ts';

const parseQuantity = (q: unknown): number => parseQ(q) ?? 0;

/** Data of a ConfigMap (data + binaryData as text) or a Secret (decoded); undefined: it does not exist. */
export type Lookup = (kind: 'configmap' | 'secret', name: string) => Promise<Record<string, string> | undefined>;

export interface EnvContext {
  lookup: Lookup;
  podIPs: string[];
  hostIPs: string[];
  /** Every Service the node agent knows (all namespaces); undefined: no service variables. */
  services?: Service[];
  /** Events on the pod (InvalidEnvironmentVariableNames). */
  warn?: (reason: string, message: string) => void;
  /** Node allocatable, the default of unset limits in resourceFieldRef (default: this machine's). */
  allocatable?: { cpu: number; memory: number; 'ephemeral-storage'?: number };
}

/** Upstream's expansion.Expand: `$(NAME)` → mapping(NAME) (unknown names stay as written), `$$` → `$`. */
export function expandWith(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') out += '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close < 0) out += '$(';
      else { out += mapping(rest.slice(1, close)); advance = close + 1; }
    } else out += '$' + rest[0];
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** Expand against maps searched in order (upstream MappingFuncFor). */
export function expand(s: string, ...contexts: Map<string, string>[]): string {
  return expandWith(s, (name) => {
    for (const m of contexts) if (m.has(name)) return m.get(name)!;
    return `$(${name})`;
  });
}

/** Go's %q for the downward API's label/annotation files (fieldpath.FormatMap). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** `k="v"` lines in key order (upstream fieldpath.FormatMap). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote(String(m![k]))}`).join('\n');
}

/** A fieldRef's value (upstream podFieldSelectorRuntimeValue + fieldpath.ExtractFieldPathAsString). */
export function fieldRefValue(pod: Pod, path: string, podIPs: string[], hostIPs: string[]): string {
  const md = pod.metadata ?? {};
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return String(((m[1] === 'labels' ? md.labels : md.annotations) ?? {})[m[2]] ?? '');
  switch (path) {
    case 'metadata.name': return md.name ?? '';
    case 'metadata.namespace': return md.namespace ?? '';
    case 'metadata.uid': return md.uid ?? '';
    case 'metadata.labels': return formatMap(md.labels);
    case 'metadata.annotations': return formatMap(md.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return hostIPs[0] ?? '';
    case 'status.hostIPs': return hostIPs.join(',');
    case 'status.podIP': return podIPs[0] ?? '';
    case 'status.podIPs': return podIPs.join(',');
    default: throw new Error(`unsupported fieldPath: ${path}`);
  }
}

function defaultAllocatable() { return { cpu: cpus().length, memory: totalmem() }; }

/**
 * A resourceFieldRef's value (upstream ExtractContainerResourceValue): the container's limit or request divided by
 * the divisor, rounded up; an unset limit is the node's allocatable.
 */
export function resourceFieldValue(c: Container, resource: string, divisor: string | number | undefined, alloc = defaultAllocatable()): string {
  const [kind, name] = resource.split('.');
  if ((kind !== 'limits' && kind !== 'requests') || !name) throw new Error(`unsupported container resource : ${resource}`);
  const src = (kind === 'limits' ? c.resources?.limits : c.resources?.requests) ?? {};
  let v = src[name] !== undefined ? parseQuantity(src[name] as string) : undefined;
  if (v === undefined && kind === 'limits') v = (alloc as Record<string, number | undefined>)[name] ?? 0;
  const d = parseQuantity(divisor ?? '1') || 1;
  // cpu in millicores as upstream (ceil(milli/divisorMilli)); others in whole units.
  const q = name === 'cpu' ? Math.round((v ?? 0) * 1000) / Math.round(d * 1000) : (v ?? 0) / d;
  return String(Math.ceil(q - 1e-9));
}

/** Upstream IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]* */
export const isEnvVarName = (k: string) => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k);

const envName = (s: string) => s.replace(/-/g, '_').toUpperCase();

/** Upstream envvars.FromServices (service + docker-link variables) for the Services that apply to the pod. */
export function serviceEnv(pod: Pod, services: Service[]): Map<string, string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks !== false;
  const chosen = new Map<string, Service>();
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const name = s.metadata?.name ?? '';
    if (s.metadata?.namespace === 'default' && name === 'kubernetes') { if (!chosen.has(name)) chosen.set(name, s); }
    else if (s.metadata?.namespace === ns && links) chosen.set(name, s);
  }
  const out = new Map<string, string>();
  for (const s of [...chosen.values()].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!))) {
    const ip = s.spec!.clusterIP!;
    const ports = s.spec?.ports ?? [];
    if (!ports.length) continue;
    const prefix = envName(s.metadata!.name!);
    out.set(`${prefix}_SERVICE_HOST`, ip);
    out.set(`${prefix}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports) if (p.name) out.set(`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    const hostPort = (port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
    ports.forEach((p, i) => {
      const proto = p.protocol ?? 'TCP';
      const url = `${proto.toLowerCase()}://${hostPort(p.port)}`;
      if (i === 0) out.set(`${prefix}_PORT`, url);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.set(pp, url);
      out.set(`${pp}_PROTO`, proto.toLowerCase());
      out.set(`${pp}_PORT`, String(p.port));
      out.set(`${pp}_ADDR`, ip);
    });
  }
  return out;
}

const kindWord = (k: 'configmap' | 'secret') => (k === 'configmap' ? 'configMap' : 'secret');

/** The container's environment, in upstream's order (see the file comment). Throws CreateContainerConfigError messages. */
export async function resolveEnv(pod: Pod, c: Container, ctx: EnvContext): Promise<Map<string, string>> {
  const svc = ctx.services ? serviceEnv(pod, ctx.services) : new Map<string, string>();
  const env = new Map<string, string>();
  const ns = pod.metadata?.namespace ?? 'default';
  for (const ef of c.envFrom ?? []) {
    const kind = ef.configMapRef ? 'configmap' : ef.secretRef ? 'secret' : undefined;
    const ref = ef.configMapRef ?? ef.secretRef;
    if (!kind || !ref) continue;
    const data = await ctx.lookup(kind, ref.name!);
    if (!data) { if (ref.optional) continue; throw new Error(`${kind} "${ref.name}" not found`); }
    const invalid: string[] = [];
    for (const [k0, v] of Object.entries(data)) {
      const k = `${ef.prefix ?? ''}${k0}`;
      if (!isEnvVarName(k)) { invalid.push(k); continue; }
      env.set(k, v);
    }
    if (invalid.length) {
      ctx.warn?.('InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kindWord(kind)} ${ns}/${ref.name} were skipped since they are considered invalid environment variable names.`);
    }
  }
  for (const e of c.env ?? []) {
    const v = await envValue(pod, c, e, ctx, env, svc);
    if (v !== undefined) env.set(e.name, v);
  }
  for (const [k, v] of svc) if (!env.has(k)) env.set(k, v);
  return env;
}

/** One env entry's value; undefined: leave it unset (a missing optional key). */
async function envValue(pod: Pod, c: Container, e: EnvVar, ctx: EnvContext, env: Map<string, string>, svc: Map<string, string>): Promise<string | undefined> {
  if (e.value) return expand(e.value, env, svc);
  const vf = e.valueFrom;
  if (!vf) return '';
  if (vf.fieldRef) return fieldRefValue(pod, vf.fieldRef.fieldPath, ctx.podIPs, ctx.hostIPs);
  if (vf.resourceFieldRef) return resourceFieldValue(c, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined, ctx.allocatable);
  const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
  if (!ref) return '';
  const kind = vf.configMapKeyRef ? 'configmap' : 'secret';
  const data = await ctx.lookup(kind, ref.name!);
  if (!data) {
    if (ref.optional) return undefined;
    throw new Error(`${kind} "${ref.name}" not found`);
  }
  const v = data[ref.key];
  if (v === undefined) {
    if (ref.optional) return undefined;
    throw new Error(`couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${pod.metadata?.namespace}/${ref.name}`);
  }
  return v;
}
