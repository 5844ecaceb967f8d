// A small in-memory API for driving the Rollout controller in unit tests: objects by resource, resourceVersions,
// generation bumps on spec changes, merge/strategic patches (maps only), status subresources, and a stand-in for the
// ReplicaSet controller (status follows spec; images in `failImages` never become available). Informers read the
// store directly. Fakes belong only in unit tests.
import { StatusError } from '../../../src/api/errors.ts';
import { jsonMergePatch } from '../../../src/api/patch/merge.ts';
import { FakeClock } from '../../../src/util/clock.ts';
import { RolloutController } from '../../../src/controllers/rollout/controller.ts';
import type { ResourceRef } from '../../../src/client/resources.ts';

const key = (ref: ResourceRef, ns: string | undefined, name: string) => `${ref.plural}/${ref.namespaced ? ns ?? '' : ''}/${name}`;
const rank = (o: any) => BigInt(o?.metadata?.resourceVersion ?? '0');

export interface Action { verb: string; resource: string; name: string; sub?: string; body?: any }

export function world(opts: { failImages?: string[]; served?: boolean } = {}) {
  const objs = new Map<string, any>();
  const clock = new FakeClock();
  let rv = 1;
  let uid = 1;
  const actions: Action[] = [];
  const failImages = new Set(opts.failImages ?? []);
  const bump = (o: any) => { o.metadata.resourceVersion = String(++rv); return o; };
  const find = (ref: ResourceRef, ns: string | undefined, name: string) => {
    const o = objs.get(key(ref, ns, name));
    if (!o) throw new StatusError(404, 'NotFound', `${ref.plural} "${name}" not found`);
    return o;
  };
  const handlers = new Map<string, any[]>();
  const notify = (plural: string, verb: 'add' | 'update' | 'delete', ...args: any[]) => { for (const h of handlers.get(plural) ?? []) h[verb]?.(...args); };
  const store = (ref: ResourceRef, o: any) => {
    const k = key(ref, o.metadata.namespace, o.metadata.name);
    const old = objs.get(k);
    objs.set(k, o);
    if (old) notify(ref.plural, 'update', old, o); else notify(ref.plural, 'add', o);
    return structuredClone(o);
  };
  const specChanged = (a: any, b: any) => JSON.stringify(a.spec) !== JSON.stringify(b.spec);

  const client: any = {
    async request(method: string, path: string) {
      if (method === 'GET' && path === '/apis/argoproj.io/v1alpha1') {
        if (opts.served === false) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        return { resources: [{ name: 'rollouts' }, { name: 'analysisruns' }, { name: 'analysistemplates' }, { name: 'clusteranalysistemplates' }] };
      }
      throw new StatusError(404, 'NotFound', path);
    },
    async get(ref: ResourceRef, ns: string, name: string) { return structuredClone(find(ref, ns, name)); },
    async create(ref: ResourceRef, ns: string, obj: any, _o: any, sub?: string, name?: string) {
      actions.push({ verb: 'create', resource: ref.plural, name: name ?? obj.metadata.name, sub, body: structuredClone(obj) });
      if (sub === 'eviction') { objs.delete(key(ref, ns, name!)); return {}; }
      if (objs.has(key(ref, ns, obj.metadata.name))) throw new StatusError(409, 'AlreadyExists', `${ref.plural} "${obj.metadata.name}" already exists`);
      const o = structuredClone(obj);
      o.metadata = { ...o.metadata, namespace: ref.namespaced ? ns : undefined, uid: `uid-${uid++}`, creationTimestamp: new Date(clock.now()).toISOString(), generation: 1 };
      return store(ref, bump(o));
    },
    async update(ref: ResourceRef, ns: string, obj: any, sub?: string) {
      const cur = find(ref, ns, obj.metadata.name);
      actions.push({ verb: 'update', resource: ref.plural, name: obj.metadata.name, sub, body: structuredClone(obj) });
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'the object has been modified');
      const o = sub === 'status' ? { ...structuredClone(cur), status: structuredClone(obj.status) } : structuredClone(obj);
      if (sub !== 'status') { o.status = cur.status; o.metadata = { ...o.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp, generation: (cur.metadata.generation ?? 1) + (specChanged(cur, o) ? 1 : 0) }; }
      return store(ref, bump(o));
    },
    async patch(ref: ResourceRef, ns: string, name: string, patch: any, _type: string, sub?: string) {
      const cur = find(ref, ns, name);
      actions.push({ verb: 'patch', resource: ref.plural, name, sub, body: structuredClone(patch) });
      let o: any = jsonMergePatch(cur, patch);
      if (sub === 'status') o = { ...structuredClone(cur), status: o.status };
      else if (ref.plural !== 'analysisruns' && (o.status !== undefined || cur.status !== undefined)) o.status = cur.status; // AnalysisRun: no status subresource
      if (sub !== 'status' && specChanged(cur, o)) o.metadata.generation = (cur.metadata.generation ?? 1) + 1;
      return store(ref, bump(o));
    },
    async delete(ref: ResourceRef, ns: string, name: string) {
      find(ref, ns, name);
      actions.push({ verb: 'delete', resource: ref.plural, name });
      const old = objs.get(key(ref, ns, name));
      objs.delete(key(ref, ns, name));
      notify(ref.plural, 'delete', old);
      return {};
    },
  };

  const informers: any = {
    get(ref: ResourceRef) {
      const list = () => [...objs.entries()].filter(([k]) => k.startsWith(`${ref.plural}/`)).map(([, v]) => v);
      return {
        addHandler(h: any) { handlers.set(ref.plural, [...(handlers.get(ref.plural) ?? []), h]); },
        hasSynced: () => true,
        list,
        get: (k: string) => { const [a, b] = k.includes('/') ? k.split('/') : ['', k]; return objs.get(key(ref, a, b)); },
        getByName: (ns: string | undefined, name: string) => objs.get(key(ref, ns, name)),
      };
    },
  };

  const ref = (plural: string, group = '', namespaced = true): ResourceRef => ({ group, version: group ? (group === 'apps' ? 'v1' : 'v1alpha1') : 'v1', plural, kind: '', namespaced });
  const RO = ref('rollouts', 'argoproj.io'), RS = ref('replicasets', 'apps'), SVC = ref('services'), ARUN = ref('analysisruns', 'argoproj.io');

  /** The ReplicaSet controller's effect: status follows spec (failing images never get available). */
  function settle(): void {
    for (const [k, rs] of objs) {
      if (!k.startsWith('replicasets/')) continue;
      const n = rs.spec.replicas ?? 0;
      const bad = (rs.spec.template?.spec?.containers ?? []).some((c: any) => failImages.has(c.image));
      const st = { replicas: n, readyReplicas: bad ? 0 : n, availableReplicas: bad ? 0 : n, observedGeneration: rs.metadata.generation };
      if (JSON.stringify(st) !== JSON.stringify(rs.status)) { rs.status = st; bump(rs); }
    }
  }

  const ctrl = new RolloutController({ workers: 1 });
  const ready = ctrl.init({ client, informers, clock });

  /** Reconcile until nothing changes (each pass followed by the RS controller settling). */
  async function drive(name = 'r', max = 60): Promise<number> {
    await ready;
    for (let i = 0; i < max; i++) {
      const before = rv;
      await ctrl.reconcile(`default/${name}`);
      settle();
      if (rv === before) return i;
    }
    throw new Error(`no fixed point after ${max} passes`);
  }

  const get = (r: ResourceRef, name: string) => objs.get(key(r, 'default', name));
  const put = (r: ResourceRef, o: any) => {
    o.metadata = { namespace: 'default', uid: `uid-${uid++}`, generation: 1, creationTimestamp: new Date(clock.now()).toISOString(), ...o.metadata };
    return store(r, bump(o));
  };
  const rss = () => [...objs.entries()].filter(([k]) => k.startsWith('replicasets/')).map(([, v]) => v)
    .sort((a, b) => Number(a.metadata.annotations?.['rollout.argoproj.io/revision'] ?? 0) - Number(b.metadata.annotations?.['rollout.argoproj.io/revision'] ?? 0));
  return { objs, clock, client, actions, ctrl, drive, settle, get, put, rss, RO, RS, SVC, ARUN, ready };
}

export function service(name: string, selector: Record<string, string>) {
  return { metadata: { name }, spec: { selector, ports: [{ port: 80 }] } };
}

export function canaryRollout(name: string, image: string, steps: any[], extra: any = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas: 5, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
      strategy: { canary: { canaryService: `${name}-canary`, stableService: `${name}-stable`, steps, ...extra } },
    },
  };
}
