/**
 * Per-namespace identity objects, as two upstream controllers keep them:
 *
 *  - the service-accounts controller (pkg/controller/serviceaccount/serviceaccounts_controller.go): a ServiceAccount
 *    `default` in every active namespace, re-created when deleted;
 *  - the root-CA publisher (pkg/controller/certificates/rootcacertpublisher): a ConfigMap `kube-root-ca.crt` with
 *    `ca.crt` = the cluster CA in every active namespace, put back when deleted or changed — the projected volume
 *    the ServiceAccount admission plugin injects reads it.
 *
 * Both are level-triggered on namespaces (add/update) and on their own object (update/delete); a namespace being
 * terminated gets nothing new. The plan (what to write for a namespace) is `planNamespace`, pure.
 */
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { StatusError } from '../../api/errors.ts';

type Obj = Record<string, any>;

export const DEFAULT_SERVICE_ACCOUNTS = ['default'];
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const ROOT_CA_DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export type Action =
  | { op: 'create'; kind: 'serviceaccounts' | 'configmaps'; obj: Obj }
  | { op: 'update'; kind: 'configmaps'; obj: Obj };

/** What a namespace needs: its missing default service accounts and an up-to-date root CA ConfigMap. */
export function planNamespace(ns: Obj | undefined, existingAccounts: Set<string>, configMap: Obj | undefined, rootCA: string | undefined): Action[] {
  if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return [];
  const name = ns.metadata?.name as string;
  const out: Action[] = [];
  for (const sa of DEFAULT_SERVICE_ACCOUNTS) {
    if (!existingAccounts.has(sa)) out.push({ op: 'create', kind: 'serviceaccounts', obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: name } } });
  }
  if (rootCA) {
    const data = { 'ca.crt': rootCA };
    if (!configMap) {
      out.push({ op: 'create', kind: 'configmaps', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace: name, annotations: { [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } }, data } });
    } else {
      const d = configMap.data ?? {};
      const sameData = Object.keys(d).length === 1 && d['ca.crt'] === rootCA && !configMap.binaryData;
      const annotated = configMap.metadata?.annotations?.[ROOT_CA_DESCRIPTION_ANNOTATION] === ROOT_CA_DESCRIPTION;
      if (!sameData || !annotated) {
        const cm = structuredClone(configMap);
        cm.data = data;
        delete cm.binaryData;
        cm.metadata.annotations = { ...(cm.metadata.annotations ?? {}), [ROOT_CA_DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };
        out.push({ op: 'update', kind: 'configmaps', obj: cm });
      }
    }
  }
  return out;
}

export interface ServiceAccountControllerOptions {
  /** The cluster CA certificate (PEM) to publish; without it only service accounts are kept. */
  rootCA?: string;
}

export class ServiceAccountController implements Controller {
  name = 'serviceaccount-controller';
  private ctx!: ControllerContext;
  private nsInf!: Informer<Obj>;
  private saInf!: Informer<Obj>;
  private cmInf!: Informer<Obj>;
  private queue!: WorkQueue;
  private running?: Promise<void>;

  constructor(private opts: ServiceAccountControllerOptions = {}) {}

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'serviceaccount' });
    this.nsInf = ctx.informers.get(R.namespaces);
    this.saInf = ctx.informers.get(R.serviceaccounts);
    this.cmInf = ctx.informers.get(R.configmaps);
    const nsKey = (o: Obj) => { if (o?.metadata?.name) this.queue.add(o.metadata.name); };
    this.nsInf.addHandler({ add: nsKey, update: (_o, n) => nsKey(n) });
    const ofNs = (names: string[]) => (o: Obj) => { if (names.includes(o?.metadata?.name) && o.metadata.namespace) this.queue.add(o.metadata.namespace); };
    this.saInf.addHandler({ delete: ofNs(DEFAULT_SERVICE_ACCOUNTS) });
    this.cmInf.addHandler({ update: (_o, n) => ofNs([ROOT_CA_CONFIGMAP])(n), delete: ofNs([ROOT_CA_CONFIGMAP]) });
  }

  async run(): Promise<void> {
    this.running = this.queue.run(2, (k) => this.reconcile(k), (k, e) => {
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404 || e.code === 403))) console.error(`serviceaccount-controller: ${k}: ${(e as Error).message ?? e}`);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
  }

  async reconcile(ns: string): Promise<void> {
    const accounts = new Set(DEFAULT_SERVICE_ACCOUNTS.filter((n) => this.saInf.getByName(ns, n)));
    const actions = planNamespace(this.nsInf.getByName(undefined, ns), accounts, this.cmInf.getByName(ns, ROOT_CA_CONFIGMAP), this.opts.rootCA);
    const { client } = this.ctx;
    for (const a of actions) {
      try {
        if (a.op === 'create') await client.create(R[a.kind], ns, a.obj);
        else await client.update(R[a.kind], ns, a.obj);
      } catch (e) {
        // Already there (the cache was behind), or the namespace is going away: nothing to do.
        if (e instanceof StatusError && (e.code === 409 || e.code === 403 || e.code === 404)) continue;
        throw e;
      }
    }
  }
}

export function newServiceAccountController(opts?: ServiceAccountControllerOptions): Controller { return new ServiceAccountController(opts); }
