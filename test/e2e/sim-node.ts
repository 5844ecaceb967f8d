/**
 * TEST-ONLY simulated node: never used by the product. It lets controller e2e tests run without containerd by
 * doing, through the API, what a kubelet's status manager would do:
 *  - every pod (scheduled or not) becomes Running and Ready via PUT pods/NAME/status, optionally after a delay;
 *  - a pod whose container image is in `failImages` stays Pending with the container waiting in
 *    ImagePullBackOff ("Back-off pulling image ...") and Ready=False, as a real node shows a missing image;
 *  - a pod being deleted gracefully (deletionTimestamp set) is removed with gracePeriodSeconds 0, as a kubelet
 *    does once its containers have stopped.
 */
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { KubeClient } from '../../src/client/client.ts';
import { Informer } from '../../src/client/informer.ts';
import { R } from '../../src/client/resources.ts';
import { StatusError } from '../../src/api/errors.ts';

export interface SimNodeOptions {
  client: KubeClient;
  /** Images that "fail to pull". */
  failImages?: Iterable<string>;
  /** Delay before a pod turns Ready (ms), to model readiness timing. */
  readyDelayMs?: number;
  /** Delay before a terminating pod is removed (ms). */
  terminateDelayMs?: number;
  namespace?: string;
}

const iso = (ms = Date.now()) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export class SimNode {
  readonly failImages: Set<string>;
  private inf: Informer<any>;
  private timers = new Set<NodeJS.Timeout>();
  private pending = new Set<string>();
  private stopped = false;
  /** Pod status writes made (for benchmarks). */
  writes = 0;

  constructor(private opts: SimNodeOptions) {
    this.failImages = new Set(opts.failImages ?? []);
    this.inf = new Informer(opts.client, R.pods, { namespace: opts.namespace });
    this.inf.addHandler({ add: (p) => this.consider(p), update: (_o, p) => this.consider(p) });
  }

  async start(): Promise<void> { await this.inf.start(); }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await this.inf.stop();
  }

  private later(ms: number, fn: () => Promise<void>): void {
    if (ms <= 0) { void fn().catch(() => undefined); return; }
    const t = setTimeout(() => { this.timers.delete(t); if (!this.stopped) void fn().catch(() => undefined); }, ms);
    this.timers.add(t);
  }

  private failing(p: Pod): string | undefined {
    return p.spec?.containers?.map((c) => c.image ?? '').find((i) => this.failImages.has(i));
  }

  private consider(p: Pod): void {
    if (this.stopped) return;
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    if (p.metadata?.deletionTimestamp) {
      if (this.pending.has(`del:${key}`)) return;
      this.pending.add(`del:${key}`);
      this.later(this.opts.terminateDelayMs ?? 0, async () => {
        try { await this.opts.client.delete(R.pods, p.metadata?.namespace, p.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata?.uid } }); } catch { /* gone */ }
        this.pending.delete(`del:${key}`);
      });
      return;
    }
    const bad = this.failing(p);
    const want = bad ? 'failing' : 'ready';
    const cur = bad ? p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' : p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (cur) return;
    const pk = `${want}:${p.metadata?.uid}`;
    if (this.pending.has(pk)) return;
    this.pending.add(pk);
    this.later(bad ? 0 : this.opts.readyDelayMs ?? 0, async () => {
      try { await this.writeStatus(p, bad); } finally { this.pending.delete(pk); }
    });
  }

  private async writeStatus(p0: Pod, badImage: string | undefined): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      // First try with the cached pod (one request); on a conflict re-read it.
      let p: Pod = structuredClone(this.inf.get(`${p0.metadata?.namespace}/${p0.metadata?.name}`) ?? p0);
      if (attempt > 0) {
        try { p = await this.opts.client.get<Pod>(R.pods, p0.metadata?.namespace, p0.metadata!.name!); } catch { return; }
      }
      if (p.metadata?.uid !== p0.metadata?.uid || p.metadata?.deletionTimestamp) return;
      const now = iso();
      const ready = !badImage;
      const cond = (type: string, status: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: now });
      (p as { status?: Pod['status'] }).status = {
        phase: ready ? 'Running' : 'Pending',
        conditions: [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'), cond('Ready', ready ? 'True' : 'False'), cond('ContainersReady', ready ? 'True' : 'False'), cond('PodScheduled', 'True')] as any,
        hostIP: '10.0.0.1', podIP: `10.244.0.${1 + Math.floor(Math.random() * 250)}`,
        startTime: p.status?.startTime ?? now,
        containerStatuses: (p.spec?.containers ?? []).map((c) => ({
          name: c.name, image: c.image ?? '', imageID: ready ? `sim://${c.image}` : '', ready, restartCount: 0, started: ready,
          state: ready ? { running: { startedAt: now } }
            : { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } },
        })),
      };
      if (!ready) for (const c of p.status!.conditions!) if (c.type === 'Ready' || c.type === 'ContainersReady') c.reason = 'ContainersNotReady';
      try {
        await this.opts.client.update(R.pods, p.metadata?.namespace, p, 'status');
        this.writes++;
        return;
      } catch (e) {
        if (e instanceof StatusError && e.code === 409) continue;
        return;
      }
    }
  }
}

export async function startSimNode(opts: SimNodeOptions): Promise<SimNode> {
  const n = new SimNode(opts);
  await n.start();
  return n;
}
