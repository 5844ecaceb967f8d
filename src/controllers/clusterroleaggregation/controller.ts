/**
 * The ClusterRole aggregation controller (upstream pkg/controller/clusterroleaggregation): a ClusterRole with an
 * aggregationRule gets as rules the union of the rules of every ClusterRole its selectors match (sorted by name,
 * duplicates dropped, itself excluded), rewritten whenever any ClusterRole changes.
 */
import type { Controller, ControllerContext } from '../types.ts';
import type { Informer } from '../../client/informer.ts';
import { R } from '../../client/resources.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { StatusError } from '../../api/errors.ts';
import { labelSelectorMatcher, type LabelSelector } from '../../api/labels.ts';
import { deepEqual } from '../../api/validation/field.ts';

interface ClusterRole {
  metadata?: { name?: string; labels?: Record<string, string>; [k: string]: unknown };
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
  rules?: unknown[];
  [k: string]: unknown;
}

/** The rules an aggregated role should hold (pure). */
export function aggregatedRules(role: ClusterRole, all: ClusterRole[]): unknown[] {
  const matchers = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => labelSelectorMatcher(s));
  const picked = new Map<string, ClusterRole>();
  for (const m of matchers) {
    for (const c of all) {
      const name = c.metadata?.name ?? '';
      if (name === role.metadata?.name || picked.has(name)) continue;
      if (m(c.metadata?.labels ?? {})) picked.set(name, c);
    }
  }
  const rules: unknown[] = [];
  for (const name of [...picked.keys()].sort()) {
    for (const r of picked.get(name)!.rules ?? []) if (!rules.some((x) => deepEqual(x, r))) rules.push(r);
  }
  return rules;
}

export class ClusterRoleAggregationController implements Controller {
  name = 'clusterrole-aggregation-controller';
  private ctx!: ControllerContext;
  private roles!: Informer<any>;
  private queue!: WorkQueue;
  private running?: Promise<void>;

  init(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'clusterrole-aggregation' });
    this.roles = ctx.informers.get(R.clusterroles);
    // Any change may affect any aggregated role: enqueue them all (there are few).
    const enqueueAll = () => { for (const c of this.roles.list() as ClusterRole[]) if (c.aggregationRule) this.queue.add(c.metadata!.name!); };
    this.roles.addHandler({ add: enqueueAll, update: enqueueAll, delete: enqueueAll });
  }

  async run(): Promise<void> {
    this.running = this.queue.run(1, (k) => this.reconcile(k), (k, e) => {
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) console.error(`clusterrole-aggregation-controller: ${k}: ${(e as Error).message ?? e}`);
    });
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await this.running;
  }

  async reconcile(name: string): Promise<void> {
    const role = this.roles.getByName(undefined, name) as ClusterRole | undefined;
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.list() as ClusterRole[]);
    if (deepEqual(rules, role.rules ?? [])) return;
    await this.ctx.client.update(R.clusterroles, undefined, { ...role, rules });
  }
}

export const newClusterRoleAggregationController = (): Controller => new ClusterRoleAggregationController();
