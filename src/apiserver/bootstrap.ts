/**
 * Cluster bootstrap, run before serving: repair the IP/port allocations, create the default namespaces
 * (default, kube-system, kube-public, kube-node-lease) and the `kubernetes` Service in default
 * (first service IP, 443 -> the API server) with its Endpoints and EndpointSlice. Idempotent on restart.
 */
import { networkInterfaces } from 'node:os';
import type { KubeObject, ResourceDef } from '../api/resource.ts';
import { StatusError } from '../api/errors.ts';
import type { GenericRegistry } from './registry.ts';
import type { ServiceAllocators } from './allocators.ts';
import type { RequestContext } from './context.ts';

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function systemContext(): RequestContext {
  return {
    user: { name: 'system:apiserver', groups: ['system:masters'] }, query: new URLSearchParams(), warnings: [],
    dryRun: false, fieldManager: 'kube-apiserver', fieldValidation: 'Ignore',
  };
}

/** The address pods and other nodes use for the API server (bind address unless it is a wildcard). */
export function advertiseAddress(bindAddress: string): string {
  if (bindAddress && bindAddress !== '0.0.0.0' && bindAddress !== '::') return bindAddress;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function ensure(reg: GenericRegistry, def: ResourceDef | undefined, ns: string | undefined, obj: KubeObject, update = false): Promise<void> {
  if (!def) return;
  const ctx = systemContext();
  try {
    const cur = await reg.get(def, ns, obj.metadata!.name!);
    if (update) {
      await reg.guaranteedUpdate(def, ns, obj.metadata!.name!, ctx, (c) => ({ ...c, ...obj, metadata: { ...c.metadata, ...obj.metadata, resourceVersion: undefined } }));
    }
    void cur;
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
    try {
      await reg.create(def, ns, obj, ctx);
    } catch (e2) {
      if (!(e2 instanceof StatusError && e2.code === 409)) throw e2;
    }
  }
}

export async function bootstrapCluster(opts: {
  registry: GenericRegistry;
  defFor(group: string, plural: string): ResourceDef | undefined;
  allocators: ServiceAllocators;
  apiPort: number;
  bindAddress: string;
  /** Where pods reach the API server (default: advertiseAddress(bindAddress)). */
  advertiseAddress?: string;
  log?: (m: string) => void;
}): Promise<void> {
  const { registry: reg, defFor, allocators } = opts;
  const svcDef = defFor('', 'services');
  if (svcDef) {
    const all = await reg.list(svcDef, undefined, {});
    await allocators.repair(all.items);
  }
  const nsDef = defFor('', 'namespaces');
  for (const name of DEFAULT_NAMESPACES) {
    await ensure(reg, nsDef, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  const ip = allocators.cidr.nth(1);
  const addr = opts.advertiseAddress ?? advertiseAddress(opts.bindAddress);
  await ensure(reg, svcDef, 'default', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.apiPort }],
    },
  });
  await ensureKubernetesEndpoints(reg, defFor, addr, opts.apiPort);
}

/**
 * The Endpoints and EndpointSlice of the `kubernetes` Service: the address pods reach the API server at (upstream's
 * endpoint reconciler with --advertise-address). Rewritten when that address changes.
 */
export async function ensureKubernetesEndpoints(reg: GenericRegistry, defFor: (group: string, plural: string) => ResourceDef | undefined, addr: string, apiPort: number): Promise<void> {
  await ensure(reg, defFor('', 'endpoints'), 'default', {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: addr }], ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }] }],
  }, true);
  await ensure(reg, defFor('discovery.k8s.io', 'endpointslices'), 'default', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'kube-apiserver' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [addr], conditions: { ready: true } }],
    ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }],
  }, true);
}
