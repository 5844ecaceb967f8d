// Leader election between two controller managers, and EventRecorder aggregation, against a real API server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { startControllerManager } from '../../src/controllers/manager.ts';
import type { Controller } from '../../src/controllers/types.ts';
import { EventRecorder } from '../../src/client/events.ts';
import { R } from '../../src/client/resources.ts';
import { ok } from './controllers-helpers.ts';

let c: Cluster;
before(async () => { c = await startCluster(); });
after(async () => { await c?.stop(); });

class Probe implements Controller {
  name = 'probe';
  runs = 0;
  stops = 0;
  active = false;
  init(): void {}
  async run(): Promise<void> { this.runs++; this.active = true; }
  async stop(): Promise<void> { this.stops++; this.active = false; }
}

test('of two controller managers only the leader runs controllers; the other takes over when it stops', async () => {
  const pa = new Probe(), pb = new Probe();
  const opts = { client: c.client, leaseName: 'e2e-election', retryPeriodSeconds: 1, log: () => {} };
  const a = await startControllerManager({ ...opts, identity: 'manager-a', controllers: [pa] });
  await waitFor(() => a.isLeader() && pa.active, { message: 'a leads' });
  const b = await startControllerManager({ ...opts, identity: 'manager-b', controllers: [pb] });
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(b.isLeader(), false);
  assert.equal(pb.runs, 0, 'the standby never ran its controllers');
  let lease = await c.client.get(R.leases, 'kube-system', 'e2e-election');
  assert.equal(lease.spec.holderIdentity, 'manager-a');
  assert.equal(lease.spec.leaseDurationSeconds, 15);
  assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const renewed = lease.spec.renewTime;
  await new Promise((r) => setTimeout(r, 1500));
  lease = await c.client.get(R.leases, 'kube-system', 'e2e-election');
  assert.notEqual(lease.spec.renewTime, renewed, 'the leader renews');

  await a.stop();
  assert.equal(pa.active, false);
  assert.equal(pa.stops, 1);
  await waitFor(() => b.isLeader() && pb.active, { timeoutMs: 10000, message: 'b takes over after a releases' });
  lease = await c.client.get(R.leases, 'kube-system', 'e2e-election');
  assert.equal(lease.spec.holderIdentity, 'manager-b');
  assert.equal(lease.spec.leaseTransitions, 1);
  await b.stop();
  assert.equal(pb.stops, 1);
});

test('EventRecorder: repeats bump count, similar events are combined, kubectl shows them', async () => {
  const rec = new EventRecorder(c.client, { component: 'e2e-recorder' });
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ev-target', namespace: 'default', uid: 'uid-ev-target' } };
  for (let i = 0; i < 3; i++) rec.event(obj, 'Warning', 'Repeated', 'the same thing happened');
  for (let i = 0; i < 12; i++) rec.event(obj, 'Normal', 'Similar', `thing number ${i}`);
  await rec.flush();
  const evs = (await c.client.list(R.events, 'default', { fieldSelector: 'involvedObject.name=ev-target' })).items;
  const repeated = evs.filter((e: any) => e.reason === 'Repeated');
  assert.equal(repeated.length, 1);
  assert.equal(repeated[0].count, 3);
  assert.equal(repeated[0].type, 'Warning');
  assert.equal(repeated[0].source.component, 'e2e-recorder');
  assert.equal(repeated[0].reportingComponent, 'e2e-recorder');
  assert.deepEqual({ kind: repeated[0].involvedObject.kind, name: repeated[0].involvedObject.name, uid: repeated[0].involvedObject.uid }, { kind: 'ConfigMap', name: 'ev-target', uid: 'uid-ev-target' });
  assert.ok(repeated[0].firstTimestamp && repeated[0].lastTimestamp);
  const similar = evs.filter((e: any) => e.reason === 'Similar');
  assert.equal(similar.filter((e: any) => !e.message.startsWith('(combined')).length, 9, 'nine distinct events first');
  const combined = similar.find((e: any) => e.message.startsWith('(combined from similar events): '));
  assert.ok(combined, 'then one combined event');
  assert.equal(combined.count, 3);
  assert.equal(combined.message, '(combined from similar events): thing number 11');
  const out = ok(await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=ev-target', '-o', 'wide']));
  assert.match(out, /Repeated\s+configmap\/ev-target\s+e2e-recorder\s+the same thing happened\s+\S+\s+3\s/);
});
