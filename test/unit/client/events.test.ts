import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder } from '../../../src/client/events.ts';
import { FakeClock } from '../../../src/util/clock.ts';

function fakeClient() {
  const created: any[] = [];
  const patched: any[] = [];
  return {
    created, patched,
    async create(_r: any, _ns: any, ev: any) { created.push(ev); return ev; },
    async patch(_r: any, _ns: any, name: string, body: any) { patched.push({ name, body }); return {}; },
  };
}
const obj = (name: string, kind = 'ReplicaSet') => ({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'ns', uid: `${name}-uid` } });

test('an Event carries the upstream fields; cluster-scoped objects record into default', async () => {
  const c = fakeClient();
  const clock = new FakeClock(Date.parse('2026-03-04T05:06:07.890Z'));
  const r = new EventRecorder(c as any, { component: 'replicaset-controller', clock });
  r.event(obj('web'), 'Normal', 'SuccessfulCreate', 'Created pod: web-abcde');
  r.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n1-uid' } }, 'Warning', 'NodeNotReady', 'x');
  await r.flush();
  const e = c.created[0];
  assert.equal(e.metadata.namespace, 'ns');
  assert.match(e.metadata.name, /^web\.[0-9a-f]+$/);
  assert.deepEqual(e.involvedObject, { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespace: 'ns', name: 'web', uid: 'web-uid', resourceVersion: undefined });
  assert.deepEqual([e.type, e.reason, e.message, e.count], ['Normal', 'SuccessfulCreate', 'Created pod: web-abcde', 1]);
  assert.deepEqual(e.source, { component: 'replicaset-controller' });
  assert.equal(e.reportingComponent, 'replicaset-controller');
  assert.equal(e.firstTimestamp, '2026-03-04T05:06:07Z');
  assert.equal(e.lastTimestamp, '2026-03-04T05:06:07Z');
  assert.equal(c.created[1].metadata.namespace, 'default');
});

test('a repeat bumps count and lastTimestamp with a PATCH instead of a new Event', async () => {
  const c = fakeClient();
  const clock = new FakeClock();
  const r = new EventRecorder(c as any, { component: 'x', clock });
  r.event(obj('a'), 'Warning', 'BackOff', 'same');
  clock.advance(5000);
  r.event(obj('a'), 'Warning', 'BackOff', 'same');
  await r.flush();
  assert.equal(c.created.length, 1);
  assert.equal(c.patched.length, 1);
  assert.equal(c.patched[0].name, c.created[0].metadata.name);
  assert.equal(c.patched[0].body.count, 2);
  assert.notEqual(c.patched[0].body.lastTimestamp, c.created[0].lastTimestamp);
});

test('spam filter: 25 events per object, then one per 5 minutes; other objects unaffected', async () => {
  const c = fakeClient();
  const clock = new FakeClock();
  const r = new EventRecorder(c as any, { component: 'x', clock });
  for (let i = 0; i < 40; i++) r.event(obj('busy'), 'Normal', `R${i}`, `m${i}`);
  r.event(obj('quiet'), 'Normal', 'R', 'm');
  await r.flush();
  assert.equal(c.created.filter((e) => e.involvedObject.name === 'busy').length, 25);
  assert.equal(c.created.filter((e) => e.involvedObject.name === 'quiet').length, 1);
  clock.advance(299_000);
  r.event(obj('busy'), 'Normal', 'Later', 'm');
  await r.flush();
  assert.equal(c.created.filter((e) => e.involvedObject.name === 'busy').length, 25, 'no token yet');
  clock.advance(2_000);
  r.event(obj('busy'), 'Normal', 'Later', 'm');
  await r.flush();
  assert.equal(c.created.filter((e) => e.involvedObject.name === 'busy').length, 26, 'one token after 5 minutes');
});
