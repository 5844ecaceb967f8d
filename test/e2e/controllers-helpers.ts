/** Helpers shared by the controllers e2e tests (test-only). */
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import type { Cluster, KubectlResult } from './harness.ts';
import { R } from '../../src/client/resources.ts';

export const ok = (r: KubectlResult): string => { assert.equal(r.code, 0, `kubectl failed: ${r.stderr}${r.stdout}`); return r.stdout; };

export function deployment(name: string, o: { replicas?: number; image?: string; strategy?: any; minReadySeconds?: number; revisionHistoryLimit?: number; progressDeadlineSeconds?: number; ns?: string } = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: o.ns ?? 'default', labels: { app: name } },
    spec: {
      replicas: o.replicas ?? 1, selector: { matchLabels: { app: name } },
      strategy: o.strategy, minReadySeconds: o.minReadySeconds, revisionHistoryLimit: o.revisionHistoryLimit, progressDeadlineSeconds: o.progressDeadlineSeconds,
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: o.image ?? 'nginx' }] } },
    },
  };
}

export async function createDeployment(c: Cluster, d: Deployment): Promise<Deployment> {
  return c.client.create(R.deployments, d.metadata!.namespace, d);
}

/** The ReplicaSets a Deployment controls, oldest first. */
export async function replicaSetsOf(c: Cluster, name: string, ns = 'default'): Promise<ReplicaSet[]> {
  const d = await c.client.get<Deployment>(R.deployments, ns, name).catch(() => undefined);
  const items = (await c.client.list<ReplicaSet>(R.replicasets, ns)).items;
  return items.filter((r) => r.metadata?.ownerReferences?.some((o) => o.controller && (d ? o.uid === d.metadata!.uid : o.name === name)))
    .sort((a, b) => Date.parse(a.metadata!.creationTimestamp!) - Date.parse(b.metadata!.creationTimestamp!) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

export const byImage = (rss: ReplicaSet[], image: string) => rss.find((r) => r.spec?.template?.spec?.containers?.[0]?.image === image);

export async function podsOf(c: Cluster, app: string, ns = 'default'): Promise<Pod[]> {
  return (await c.client.list<Pod>(R.pods, ns, { labelSelector: `app=${app}` })).items;
}

export const sizes = (rs: ReplicaSet | undefined) => rs ? [rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.availableReplicas ?? 0] : undefined;
