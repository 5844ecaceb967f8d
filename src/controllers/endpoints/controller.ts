/**
 * The endpoints controller (upstream pkg/controller/endpoint): keeps each Service's Endpoints object equal to
 * planEndpointSubsets(service, pods). Level-triggered: Service, Pod and Endpoints events enqueue Service keys;
 * reconcile reads the informer caches and writes only when something differs. Pod events are handled at once
 * (no batching), so an endpoint follows its pod's readiness within one watch round-trip.
 * Services without a selector (e.g. `kubernetes`, whose Endpoints the API server writes) are left alone.
 */
import type { Pod as PodT, Service as ServiceT, Endpoints as EndpointsT } from 'kubernetes-types/core/v1.d.ts';
import type { KubeObject } from '../../api/resource.ts';
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKey, NAMESPACE_INDEX } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { StatusError } from '../../api/errors.ts';
import { desiredEndpoints, endpointsUpToDate, serviceKeysForPod, serviceHasSelector } from './plan.ts';

type Pod = PodT & KubeObject;
type Service = ServiceT & KubeObject;
type Endpoints = EndpointsT & KubeObject;


export class EndpointsController implements Controller {
  name = 'endpoints';
  private ctx!: ControllerContext;
  private services!: Informer<Service>;
  private pods!: Informer<Pod>;
  private endpoints!: Informer<Endpoints>;
  private queue!: WorkQueue;
  private running?: Promise<void>;

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'endpoints' });
    this.services = ctx.informers.get<Service>(R.services);
    this.pods = ctx.informers.get<Pod>(R.pods);
    this.endpoints = ctx.informers.get<Endpoints>(R.endpoints);
    this.services.addHandler({
      add: (s) => this.queue.add(objectKey(s)),
      update: (_o, s) => this.queue.add(objectKey(s)),
      delete: (s) => this.queue.add(objectKey(s)),
    });
    this.pods.addHandler({
      add: (p) => this.enqueueForPod(p),
      update: (o, p) => { this.enqueueForPod(p, o); },
      delete: (p) => this.enqueueForPod(p),
    });
    // Someone deleted or changed our Endpoints: put them back.
    this.endpoints.addHandler({
      update: (_o, e) => { if (this.services.get(objectKey(e))) this.queue.add(objectKey(e)); },
      delete: (e) => { if (this.services.get(objectKey(e))) this.queue.add(objectKey(e)); },
    });
  }

  /** Enqueue every Service in the pod's namespace whose selector matches the pod's new or old labels. */
  private enqueueForPod(pod: Pod, old?: Pod): void {
    for (const k of serviceKeysForPod(this.services.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? ''), pod, old)) this.queue.add(k);
  }


  async run(): Promise<void> {
    for (const s of this.services.list()) this.queue.add(objectKey(s));
    this.running = this.queue.run(2, (k) => this.reconcile(k), (k, e) => {
      if (!(e instanceof StatusError && (e.code === 409))) console.error(`endpoints ${k}:`, (e as Error).message ?? e);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
  }

  async reconcile(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(key);
    const cur = this.endpoints.get(key);
    if (!svc) {
      // The Service is gone: its Endpoints go too (only ones we would have written: not the API server's).
      if (cur && !isApiServerEndpoints(cur)) {
        try { await this.ctx.client.delete(R.endpoints, ns, name); } catch (e) { if (!(e instanceof StatusError && e.code === 404)) throw e; }
      }
      return;
    }
    if (!serviceHasSelector(svc)) return;
    const pods = this.pods.byIndex(NAMESPACE_INDEX, ns);
    const want = desiredEndpoints(svc, pods);
    if (cur && endpointsUpToDate(cur, want)) return;
    if (cur) {
      await this.ctx.client.update(R.endpoints, ns, { ...cur, metadata: { ...cur.metadata, labels: want.metadata!.labels }, subsets: want.subsets });
    } else {
      try {
        await this.ctx.client.create(R.endpoints, ns, want);
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) {
          // Exists but not yet in our cache: update the live object.
          const live = await this.ctx.client.get<Endpoints>(R.endpoints, ns, name);
          if (!endpointsUpToDate(live, want)) await this.ctx.client.update(R.endpoints, ns, { ...live, metadata: { ...live.metadata, labels: want.metadata!.labels }, subsets: want.subsets });
          return;
        }
        throw e;
      }
    }
  }
}

function isApiServerEndpoints(e: Endpoints): boolean {
  return e.metadata?.namespace === 'default' && e.metadata?.name === 'kubernetes';
}

export function newEndpointsController(): Controller { return new EndpointsController(); }
