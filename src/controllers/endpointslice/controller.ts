/**
 * The EndpointSlice controller (upstream pkg/controller/endpointslice) and, in the same loop, EndpointSlice
 * mirroring (pkg/controller/endpointslicemirroring): a Service with a selector gets slices computed from its
 * pods (managed-by endpointslice-controller.k8s.io); a Service without one gets its hand-written Endpoints
 * mirrored into slices (managed-by endpointslicemirroring-controller.k8s.io), unless the Endpoints carry
 * endpointslice.kubernetes.io/skip-mirror=true or someone else already manages slices for it.
 *
 * Slices are created with generated names, and the watch may lag behind our own writes; a small tracker of the
 * slices this controller wrote (newest resourceVersion wins) keeps a quick second reconcile from creating
 * duplicates or resurrecting deleted slices.
 */
import { randomBytes } from 'node:crypto';
import type { Pod as PodT, Service as ServiceT, Endpoints as EndpointsT } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject } from '../../api/resource.ts';
import type { EndpointSlice as EndpointSliceT } from 'kubernetes-types/discovery/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey, NAMESPACE_INDEX } from '../../client/informer.ts';

/** Slices by the Service they belong to ("namespace/name" from the service-name label). */
const SERVICE_INDEX = 'endpointslice-service';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { StatusError } from '../../api/errors.ts';
import { serviceKeysForPod, serviceHasSelector } from '../endpoints/plan.ts';
import {
  planEndpointSlices, endpointsFromPods, endpointsFromEndpoints,
  LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_SKIP_MIRROR, MANAGED_BY_CONTROLLER, MANAGED_BY_MIRRORING,
} from './plan.ts';

type Pod = PodT & KubeObject;
type Service = ServiceT & KubeObject;
type Endpoints = EndpointsT & KubeObject;
type EndpointSlice = EndpointSliceT & KubeObject;


const alphabet = 'bcdfghjklmnpqrstvwxz2456789'; // as apimachinery's generateName suffixes
export function generateSliceName(svc: ServiceT): string {
  const b = randomBytes(5);
  let s = '';
  for (const x of b) s += alphabet[x % alphabet.length];
  return `${(svc.metadata?.name ?? 'svc').slice(0, 57)}-${s}`;
}

function rvNewer(a?: string, b?: string): boolean {
  if (!a) return false;
  if (!b) return true;
  try { return BigInt(a) > BigInt(b); } catch { return a !== b; }
}

export class EndpointSliceController implements Controller {
  name = 'endpointslice';
  private ctx!: ControllerContext;
  private services!: Informer<Service>;
  private pods!: Informer<Pod>;
  private endpoints!: Informer<Endpoints>;
  private slices!: Informer<EndpointSlice>;
  private queue!: WorkQueue;
  private running?: Promise<void>;
  /** Slices we wrote, by ns/name, until the informer catches up; `null` = we deleted it. */
  private written = new Map<string, EndpointSlice | null>();

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'endpointslice' });
    this.services = ctx.informers.get<Service>(R.services);
    this.pods = ctx.informers.get<Pod>(R.pods);
    this.endpoints = ctx.informers.get<Endpoints>(R.endpoints);
    this.slices = ctx.informers.get<EndpointSlice>(R.endpointslices);
    if (!this.slices.hasIndex(SERVICE_INDEX)) {
      this.slices.addIndexers({ [SERVICE_INDEX]: (s) => {
        const svc = s.metadata?.labels?.[LABEL_SERVICE_NAME];
        return svc ? [`${s.metadata?.namespace}/${svc}`] : [];
      } });
    }
    const svcKey = (s: Service) => this.queue.add(objectKey(s));
    this.services.addHandler({ add: svcKey, update: (_o, s) => svcKey(s), delete: svcKey });
    this.pods.addHandler({
      add: (p) => this.enqueueForPod(p),
      update: (o, p) => this.enqueueForPod(p, o),
      delete: (p) => this.enqueueForPod(p),
    });
    const epKey = (e: Endpoints) => { if (this.services.get(objectKey(e))) this.queue.add(objectKey(e)); };
    this.endpoints.addHandler({ add: epKey, update: (_o, e) => epKey(e), delete: epKey });
    const sliceKey = (s: EndpointSlice) => {
      const svc = s.metadata?.labels?.[LABEL_SERVICE_NAME];
      const mb = s.metadata?.labels?.[LABEL_MANAGED_BY];
      if (svc && (mb === MANAGED_BY_CONTROLLER || mb === MANAGED_BY_MIRRORING)) this.queue.add(`${s.metadata?.namespace}/${svc}`);
    };
    this.slices.addHandler({ add: sliceKey, update: (_o, s) => sliceKey(s), delete: sliceKey });
  }

  private enqueueForPod(pod: Pod, old?: Pod): void {
    for (const k of serviceKeysForPod(this.services.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? ''), pod, old)) this.queue.add(k);
  }


  async run(): Promise<void> {
    for (const s of this.services.list()) this.queue.add(objectKey(s));
    // Slices whose Service is gone (e.g. deleted while we were down).
    for (const sl of this.slices.list()) {
      const svc = sl.metadata?.labels?.[LABEL_SERVICE_NAME];
      if (svc) this.queue.add(`${sl.metadata?.namespace}/${svc}`);
    }
    this.running = this.queue.run(2, (k) => this.reconcile(k), (k, e) => {
      if (!(e instanceof StatusError && e.code === 409)) console.error(`endpointslice ${k}:`, (e as Error).message ?? e);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
  }

  /** This Service's slices managed by `managedBy`: the informer's view, corrected by our own recent writes. */
  private existing(ns: string, name: string, managedBy: string): EndpointSlice[] {
    const out = new Map<string, EndpointSlice>();
    for (const s of this.slices.byIndex(SERVICE_INDEX, `${ns}/${name}`)) {
      if (s.metadata?.labels?.[LABEL_MANAGED_BY] !== managedBy) continue;
      out.set(objectKey(s), s);
    }
    for (const [k, w] of this.written) {
      if (!k.startsWith(`${ns}/`)) continue;
      const inf = this.slices.get(k);
      if (w === null) {
        if (inf) out.delete(k); else this.written.delete(k);
        continue;
      }
      if (w.metadata?.labels?.[LABEL_SERVICE_NAME] !== name || w.metadata?.labels?.[LABEL_MANAGED_BY] !== managedBy) continue;
      if (inf && !rvNewer(w.metadata?.resourceVersion, inf.metadata?.resourceVersion)) { this.written.delete(k); continue; }
      out.set(k, w);
    }
    return [...out.values()];
  }

  async reconcile(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(key);
    if (!svc) {
      for (const mb of [MANAGED_BY_CONTROLLER, MANAGED_BY_MIRRORING]) {
        for (const s of this.existing(ns, name, mb)) await this.remove(s);
      }
      return;
    }
    let managedBy: string;
    let eps;
    if (serviceHasSelector(svc)) {
      managedBy = MANAGED_BY_CONTROLLER;
      eps = endpointsFromPods(svc, this.pods.byIndex(NAMESPACE_INDEX, ns));
    } else {
      managedBy = MANAGED_BY_MIRRORING;
      const ep = this.endpoints.get(key);
      // Mirror only hand-written Endpoints that do not opt out, and only if no one else manages slices for it.
      const othersManage = this.slices.byIndex(SERVICE_INDEX, `${ns}/${name}`).some((s) => s.metadata?.labels?.[LABEL_MANAGED_BY] !== MANAGED_BY_MIRRORING && s.metadata?.labels?.[LABEL_MANAGED_BY] !== MANAGED_BY_CONTROLLER);
      if (!ep || ep.metadata?.labels?.[LABEL_SKIP_MIRROR] === 'true' || othersManage || svc.spec?.type === 'ExternalName') {
        for (const s of this.existing(ns, name, MANAGED_BY_MIRRORING)) await this.remove(s);
        for (const s of this.existing(ns, name, MANAGED_BY_CONTROLLER)) await this.remove(s);
        return;
      }
      eps = endpointsFromEndpoints(ep);
    }
    // Slices of the other manager (the Service gained or lost its selector) go away.
    const other = managedBy === MANAGED_BY_CONTROLLER ? MANAGED_BY_MIRRORING : MANAGED_BY_CONTROLLER;
    for (const s of this.existing(ns, name, other)) await this.remove(s);

    const plan = planEndpointSlices(svc, eps, this.existing(ns, name, managedBy), { managedBy, newName: generateSliceName });
    for (const s of plan.create) {
      const made = await this.ctx.client.create<EndpointSlice>(R.endpointslices, ns, s);
      this.written.set(objectKey(made), made);
    }
    for (const s of plan.update) {
      const made = await this.ctx.client.update<EndpointSlice>(R.endpointslices, ns, s);
      this.written.set(objectKey(made), made);
    }
    for (const s of plan.delete) await this.remove(s as EndpointSlice);
  }

  private async remove(s: EndpointSlice): Promise<void> {
    try {
      await this.ctx.client.delete(R.endpointslices, s.metadata?.namespace, s.metadata!.name!);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
    this.written.set(objectKey(s), null);
  }
}

export function newEndpointSliceController(): Controller { return new EndpointSliceController(); }
