import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podEndpointStates, waitForEndpointDrain } from '../../../src/proxy/drain.ts';

const pod: any = { metadata: { name: 'web-1', namespace: 'default', uid: 'u1' }, status: { podIP: '10.88.0.5' } };
const slice = (ready: boolean, uid = 'u1') => ({ metadata: { name: 's' }, addressType: 'IPv4', endpoints: [
  { addresses: ['10.88.0.5'], conditions: { ready }, targetRef: { kind: 'Pod', name: 'web-1', namespace: 'default', uid } },
  { addresses: ['10.88.0.6'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-2', namespace: 'default', uid: 'u2' } },
] });

/** A stand-in API client (unit test only) whose EndpointSlice list answers from a script. */
function client(answers: any[][]) {
  let i = 0;
  const calls: string[] = [];
  return { calls, list: async (ref: any, ns: string) => { calls.push(`${ref.plural}/${ns}`); return { items: answers[Math.min(i++, answers.length - 1)] }; } } as any;
}

test('podEndpointStates matches by targetRef uid', () => {
  assert.deepEqual(podEndpointStates([slice(true) as any], pod), [{ ready: true }]);
  assert.deepEqual(podEndpointStates([slice(true, 'other') as any], pod), []);
});

test('a pod that is no endpoint is not delayed', async () => {
  const c = client([[]]);
  assert.equal(await waitForEndpointDrain(c, pod, { lingerMs: 5000 }), 0);
  assert.deepEqual(c.calls, ['endpointslices/default']);
});

test('an endpoint waits until its slices show it not ready, and until the local proxy stops routing to it', async () => {
  const c = client([[slice(true)], [slice(true)], [slice(false)]]);
  let routes = true;
  const localProxies = [{ routesTo: (ip: string) => ip === '10.88.0.5' && routes }];
  setTimeout(() => { routes = false; }, 60);
  const waited = await waitForEndpointDrain(c, pod, { pollMs: 5, lingerMs: 1, maxMs: 5000, localProxies });
  assert.equal(c.calls.length, 3); // polled until ready=false
  assert.equal(routes, false); // returned only after the proxy stopped routing to the pod
  assert.ok(waited > 0);
});
