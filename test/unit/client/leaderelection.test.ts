import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderElector, microTime } from '../../../src/client/leaderelection.ts';
import { FakeClock } from '../../../src/util/clock.ts';
import { StatusError } from '../../../src/api/errors.ts';

/** An in-memory Lease API with resourceVersion conflicts. */
function leaseApi() {
  let lease: any;
  let rv = 0;
  return {
    get lease() { return lease; },
    async get() { if (!lease) throw new StatusError(404, 'NotFound', 'leases "x" not found'); return structuredClone(lease); },
    async create(_r: any, _ns: any, obj: any) {
      if (lease) throw new StatusError(409, 'AlreadyExists', 'exists');
      lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      return structuredClone(lease);
    },
    async update(_r: any, _ns: any, obj: any) {
      if (obj.metadata.resourceVersion !== lease.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'modified');
      lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      return structuredClone(lease);
    },
  };
}

const elector = (client: any, clock: FakeClock, identity: string) => new LeaderElector({
  client, clock, identity, name: 'kube-controller-manager', onStartedLeading: () => {}, onStoppedLeading: () => {},
});

test('acquire, renew, and a standby takes over only after leaseDurationSeconds without renewal', async () => {
  const api = leaseApi();
  const clock = new FakeClock();
  const a = elector(api, clock, 'a');
  const b = elector(api, clock, 'b');
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(api.lease.spec.holderIdentity, 'a');
  assert.equal(api.lease.spec.leaseDurationSeconds, 15);
  assert.equal(api.lease.spec.renewTime, microTime(clock.now()));
  assert.equal(await b.tryAcquireOrRenew(), false, 'held by a');
  clock.advance(10_000);
  assert.equal(await a.tryAcquireOrRenew(), true, 'a renews');
  assert.equal(await b.tryAcquireOrRenew(), false);
  // a dies: no more renewals. b must observe an unchanged record for 15 s.
  clock.advance(14_000);
  assert.equal(await b.tryAcquireOrRenew(), false, 'not yet expired from b\'s point of view');
  clock.advance(1_001);
  assert.equal(await b.tryAcquireOrRenew(), true, 'expired: b takes over');
  assert.equal(api.lease.spec.holderIdentity, 'b');
  assert.equal(api.lease.spec.leaseTransitions, 1);
  assert.equal(await a.tryAcquireOrRenew(), false, 'a, back, sees b holding a fresh lease');
});

test('two candidates racing on the same resourceVersion: only one wins', async () => {
  const api = leaseApi();
  const clock = new FakeClock();
  await api.create(null, null, { metadata: { name: 'kube-controller-manager' }, spec: { holderIdentity: '', leaseDurationSeconds: 15 } });
  const [ra, rb] = await Promise.all([elector(api, clock, 'a').tryAcquireOrRenew(), elector(api, clock, 'b').tryAcquireOrRenew()]);
  assert.equal(Number(ra) + Number(rb), 1);
});

test('microTime has microsecond precision as metav1.MicroTime', () => {
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
});
