// The guide's demo against `kubelite up --no-node` with the test-only simulated node, driven by the real kubectl:
// 10 replicas, a broken image stalls at 80% capacity (old RS 8 available, new RS 5), `rollout undo` returns to
// 10 available on the original RS with no new RS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.d.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { startSimNode, type SimNode } from './sim-node.ts';
import { R } from '../../src/client/resources.ts';

let c: Cluster;
let node: SimNode;
before(async () => {
  c = await startCluster();
  node = await startSimNode({ client: c.client, failImages: ['that-image-does-not-exist'] });
});
after(async () => { await node?.stop(); await c?.stop(); });

const rsOf = async (name: string) => (await c.client.list<ReplicaSet>(R.replicasets, 'default')).items
  .filter((r) => r.metadata?.ownerReferences?.some((o) => o.name === name));
const ok = (r: { code: number; stdout: string; stderr: string }) => { assert.equal(r.code, 0, r.stderr + r.stdout); return r.stdout; };

test("guide demo: broken image stalls at 80%, rollout undo restores the original ReplicaSet", async () => {
  ok(await c.kubectl(['create', 'deployment', 'web', '--image=nginx']));
  ok(await c.kubectl(['scale', 'deployment', 'web', '--replicas=10']));
  ok(await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']));
  const [orig] = await rsOf('web');
  assert.ok(orig, 'a ReplicaSet');
  assert.match(orig.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);

  ok(await c.kubectl(['set', 'image', 'deployment', 'web', 'nginx=that-image-does-not-exist']));
  const stalled = await waitFor(async () => {
    const rss = await rsOf('web');
    if (rss.length !== 2) return undefined;
    const o = rss.find((r) => r.metadata!.uid === orig.metadata!.uid)!;
    const n = rss.find((r) => r.metadata!.uid !== orig.metadata!.uid)!;
    return o.spec!.replicas === 8 && o.status?.availableReplicas === 8 && n.spec!.replicas === 5 && n.status?.replicas === 5 ? { o, n } : undefined;
  }, { timeoutMs: 30000, message: 'old RS 8 available, new RS 5' });
  assert.equal(stalled.n.status?.availableReplicas ?? 0, 0);
  const pods = ok(await c.kubectl(['get', 'pods', '--no-headers']));
  assert.equal(pods.split('\n').filter((l) => l.includes('ImagePullBackOff')).length, 5);
  const d = await c.client.get(R.deployments, 'default', 'web');
  assert.equal(d.status.availableReplicas, 8);
  assert.equal(d.status.updatedReplicas, 5);
  assert.equal(d.status.replicas, 13);
  assert.equal(d.status.unavailableReplicas, 5);
  assert.equal(d.status.conditions.find((x: any) => x.type === 'Available').status, 'True');

  ok(await c.kubectl(['rollout', 'undo', 'deployment', 'web']));
  await waitFor(async () => {
    const rss = await rsOf('web');
    const o = rss.find((r) => r.metadata!.uid === orig.metadata!.uid);
    const n = rss.find((r) => r.metadata!.uid !== orig.metadata!.uid);
    return rss.length === 2 && o?.spec?.replicas === 10 && o.status?.availableReplicas === 10 && n?.spec?.replicas === 0 && (n.status?.replicas ?? 0) === 0;
  }, { timeoutMs: 30000, message: 'back to 10 on the original RS' });
  ok(await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']));
  const after = await rsOf('web');
  assert.equal(after.length, 2, 'no new ReplicaSet');
  const o = after.find((r) => r.metadata!.uid === orig.metadata!.uid)!;
  assert.equal(o.metadata!.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(o.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');

  const events = ok(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.kind=Deployment']));
  assert.match(events, new RegExp(`Scaled up replica set ${orig.metadata!.name} from 0 to 1`));
  assert.match(events, new RegExp(`Scaled up replica set ${orig.metadata!.name} from 1 to 10`));
  assert.match(events, new RegExp(`Scaled down replica set ${orig.metadata!.name} from 10 to 8`));
  const desc = ok(await c.kubectl(['describe', 'deployment', 'web']));
  assert.match(desc, /NewReplicaSet:\s+web-\S+ \(10\/10 replicas created\)/);
  assert.match(desc, new RegExp(`Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${orig.metadata!.name} from 8 to 10`));
  const hist = ok(await c.kubectl(['rollout', 'history', 'deployment/web']));
  assert.match(hist, /REVISION\s+CHANGE-CAUSE/);
  assert.match(hist, /^2\s/m);
  assert.match(hist, /^3\s/m);
});
