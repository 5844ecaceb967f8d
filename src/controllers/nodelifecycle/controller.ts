/**
 * Node lifecycle controller (upstream node-lifecycle-controller + taint-eviction-controller):
 *  - every monitor period, marks nodes whose Lease was not renewed within the grace period Ready=Unknown
 *    (health.ts) and keeps the not-ready / unreachable / unschedulable taints in line with the Ready condition;
 *  - evicts (deletes) pods from nodes with NoExecute taints once their tolerations run out (eviction.ts), with a
 *    TaintManagerEviction event. The ReplicaSet controller replaces them and the scheduler places the replacements
 *    on a healthy node; the returning node's kubelet finishes the deletion of its old pods;
 *  - deletes pods bound to a Node that no longer exists, after the grace period (upstream PodGC's orphans).
 *
 * Defaults as upstream (grace 40 s, monitor period 5 s, default toleration 300 s); the options (from the flags
 * --node-monitor-grace-period, --node-monitor-period, --default-toleration-seconds, see src/cli/config.ts)
 * change them.
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.d.ts';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Controller, ControllerContext } from '../types.ts';
import { NODE_INDEX, type Informer } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Clock } from '../../util/clock.ts';
import { observe, isHealthy, unknownConditions, desiredTaints, podNotReadyConditions, orphanedPods, type HealthObservation } from './health.ts';
import { evictionDecision } from './eviction.ts';
import { DEFAULT_TOLERATION_SECONDS } from '../../api/taints.ts';

export interface NodeLifecycleOptions {
  gracePeriodMs?: number;
  monitorPeriodMs?: number;
  defaultTolerationSeconds?: number;
  log?: (msg: string) => void;
}

export class NodeLifecycleController implements Controller {
  name = 'node-lifecycle-controller';
  private ctx!: ControllerContext;
  private clock!: Clock;
  private nodes!: Informer<any>;
  private leases!: Informer<any>;
  private pods!: Informer<any>;
  private recorder!: EventRecorder;
  private observations = new Map<string, HealthObservation>();
  private taintSeen = new Map<string, number>(); // node/key/effect → first seen (when the taint has no timeAdded)
  private evicted = new Set<string>(); // pod uids already deleted
  private missingNodes = new Map<string, number>(); // node name → first seen missing (pod GC)
  private timer?: { cancel(): void };
  private wake?: { cancel(): void; at: number };
  private running = false;
  private current: Promise<void> = Promise.resolve();
  private again = false;
  private stopped = false;
  private readonly grace: number;
  private readonly period: number;
  private readonly tolSeconds: number;
  private readonly log: (msg: string) => void;

  constructor(opts: NodeLifecycleOptions = {}) {
    this.grace = opts.gracePeriodMs ?? 40_000;
    this.period = opts.monitorPeriodMs ?? Math.min(5_000, Math.max(200, Math.floor(this.grace / 4)));
    this.tolSeconds = opts.defaultTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS;
    this.log = opts.log ?? ((m) => console.error(`node-lifecycle-controller: ${m}`));
  }

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.clock = ctx.clock;
    this.nodes = ctx.informers.get(R.nodes);
    this.leases = ctx.informers.get(R.leases, { namespace: 'kube-node-lease' });
    this.pods = ctx.informers.get(R.pods);
    this.recorder = new EventRecorder(ctx.client, { component: 'node-controller', clock: ctx.clock });
    const kick = () => this.kick();
    this.nodes.addHandler({ add: kick, update: kick, delete: (n: Node) => { this.observations.delete(n.metadata?.name ?? ''); } });
    this.pods.addHandler({ add: (p: Pod) => { if (p.spec?.nodeName) this.kick(); }, update: (_o: Pod, p: Pod) => { if (p.spec?.nodeName) this.kick(); } });
  }

  async run(): Promise<void> {
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = this.clock.setTimeout(tick, this.period);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.wake?.cancel();
    await this.current;
    await this.recorder?.flush();
  }

  /** Run a pass now (coalescing concurrent requests). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    this.current = (async () => {
      try {
        do { this.again = false; await this.pass(); } while (this.again && !this.stopped);
      } catch (e: any) {
        this.log(`pass failed: ${e?.stack ?? e}`);
      } finally { this.running = false; }
    })();
  }

  /** One monitoring + eviction pass (exposed for tests). */
  async pass(): Promise<void> {
    const now = this.clock.now();
    for (const node of this.nodes.list() as Node[]) {
      const name = node.metadata?.name ?? '';
      const lease = this.leases.getByName('kube-node-lease', name) as Lease | undefined;
      const obs = observe(this.observations.get(name), node, lease, now);
      this.observations.set(name, obs);
      let cur = node;
      if (!isHealthy(obs, now, this.grace)) {
        const conds = unknownConditions(cur, now);
        if (conds) {
          try {
            cur = await this.ctx.client.update(R.nodes, undefined, { ...cur, status: { ...cur.status, conditions: conds } }, 'status');
            this.log(`node ${name}: no heartbeat for ${Math.round((now - obs.probeAt) / 1000)}s, Ready=Unknown`);
            this.recorder.event(cur as any, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`,
              { kind: 'Node', apiVersion: 'v1', name, uid: cur.metadata?.uid });
          } catch (e: any) { this.log(`node ${name} status: ${e?.message}`); continue; }
        }
      }
      const taints = desiredTaints(cur, now);
      if (taints) {
        try {
          cur = await this.ctx.client.update(R.nodes, undefined, { ...cur, spec: { ...cur.spec, taints } });
        } catch (e: any) { this.log(`node ${name} taints: ${e?.message}`); continue; }
      }
      if (!isHealthy(obs, now, this.grace)) await this.markPodsNotReady(name, now);
    }
    await this.evictionPass(now);
    await this.orphanPass(now);
  }

  /** Pods bound to a Node that no longer exists are deleted after the grace period (upstream PodGC). */
  private async orphanPass(now: number): Promise<void> {
    const names = new Set((this.nodes.list() as Node[]).map((n) => n.metadata?.name ?? ''));
    const bound = this.pods.indexValues(NODE_INDEX).filter((n) => !names.has(n)).flatMap((n) => this.pods.byIndex(NODE_INDEX, n) as Pod[]);
    for (const key of orphanedPods(bound, names, this.missingNodes, now, this.grace)) {
      const [ns, name] = key.split('/');
      try {
        await this.ctx.client.delete(R.pods, ns, name, { gracePeriodSeconds: 0 });
        this.log(`deleted orphaned pod ${key} (its node no longer exists)`);
      } catch (e: any) { if (e?.code !== 404) this.log(`deleting orphaned pod ${key}: ${e?.message}`); }
    }
  }

  /** Upstream MarkPodsNotReady: pods of a node that stopped reporting are no longer Ready (services drop them). */
  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    for (const pod of this.pods.byIndex(NODE_INDEX, nodeName) as Pod[]) {
      const conds = podNotReadyConditions(pod, now);
      if (!conds) continue;
      try {
        await this.ctx.client.patch(R.pods, pod.metadata?.namespace, pod.metadata?.name ?? '', { status: { conditions: conds } }, 'merge', 'status');
        this.recorder.event(pod as any, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (e: any) {
        if (e?.code !== 404) this.log(`marking pod ${pod.metadata?.namespace}/${pod.metadata?.name} not ready: ${e?.message}`);
      }
    }
  }

  private taintSince(node: string, t: Taint, now: number): number {
    if (t.timeAdded) { const ms = Date.parse(t.timeAdded as string); if (!Number.isNaN(ms)) return ms; }
    const k = `${node}/${t.key}/${t.effect}`;
    if (!this.taintSeen.has(k)) this.taintSeen.set(k, now);
    return this.taintSeen.get(k)!;
  }

  private async evictionPass(now: number): Promise<void> {
    const byNode = new Map<string, Taint[]>();
    for (const n of this.nodes.list() as Node[]) {
      const ne = (n.spec?.taints ?? []).filter((t: Taint) => t.effect === 'NoExecute');
      if (ne.length) byNode.set(n.metadata?.name ?? '', ne);
    }
    let next = Infinity;
    for (const [nodeName, taints] of byNode) for (const pod of this.pods.byIndex(NODE_INDEX, nodeName) as Pod[]) {
      const uid = pod.metadata?.uid ?? '';
      if (pod.metadata?.deletionTimestamp || this.evicted.has(uid)) continue;
      const d = evictionDecision(pod, taints, this.tolSeconds, (t) => this.taintSince(nodeName, t, now));
      if ('never' in d) continue;
      if (d.evictAt > now) { next = Math.min(next, d.evictAt); continue; }
      const ns = pod.metadata?.namespace ?? 'default';
      const name = pod.metadata?.name ?? '';
      try {
        this.recorder.event(pod as any, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
        await this.ctx.client.delete(R.pods, ns, name, { preconditions: { uid } });
        this.evicted.add(uid);
        this.log(`evicted pod ${ns}/${name} from node ${nodeName}`);
      } catch (e: any) {
        if (e?.code === 404 || e?.code === 409) this.evicted.add(uid);
        else this.log(`evicting ${ns}/${name}: ${e?.message}`);
      }
    }
    if (this.evicted.size > 10_000) this.evicted.clear();
    if (Number.isFinite(next) && (!this.wake || this.wake.at > next)) {
      this.wake?.cancel();
      const t = this.clock.setTimeout(() => { this.wake = undefined; this.kick(); }, Math.max(0, next - now));
      this.wake = { cancel: () => t.cancel(), at: next };
    }
  }
}

export function newNodeLifecycleController(opts: NodeLifecycleOptions = {}): Controller {
  return new NodeLifecycleController(opts);
}
