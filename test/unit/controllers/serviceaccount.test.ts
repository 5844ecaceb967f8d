import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planNamespace, ServiceAccountController, ROOT_CA_CONFIGMAP, ROOT_CA_DESCRIPTION } from '../../../src/controllers/serviceaccount/controller.ts';
import { startControllerAgainstApiServer } from '../controller-harness.ts';
import { R } from '../../../src/client/resources.ts';
import { realClock } from '../../../src/util/clock.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ns = (name: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, ...extra }, status: { phase: 'Active' } });

test('plan: a new namespace gets `default` and the root CA ConfigMap; a terminating one nothing', () => {
  const a = planNamespace(ns('team'), new Set(), undefined, CA);
  assert.deepEqual(a.map((x) => `${x.op} ${x.kind} ${x.obj.metadata.name}`), ['create serviceaccounts default', `create configmaps ${ROOT_CA_CONFIGMAP}`]);
  assert.deepEqual(a[1].obj.data, { 'ca.crt': CA });
  assert.equal(a[1].obj.metadata.annotations['kubernetes.io/description'], ROOT_CA_DESCRIPTION);
  assert.deepEqual(planNamespace(ns('team', { deletionTimestamp: '2026-01-01T00:00:00Z' }), new Set(), undefined, CA), []);
  const cm = { metadata: { name: ROOT_CA_CONFIGMAP, namespace: 'team', annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } }, data: { 'ca.crt': CA } };
  assert.deepEqual(planNamespace(ns('team'), new Set(['default']), cm, CA), []);
  // Changed data is put back (only ca.crt), other annotations kept.
  const changed = { ...cm, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, x: 'y' } }, data: { 'ca.crt': 'tampered', extra: '1' } };
  const u = planNamespace(ns('team'), new Set(['default']), changed, CA);
  assert.equal(u.length, 1);
  assert.equal(u[0].op, 'update');
  assert.deepEqual(u[0].obj.data, { 'ca.crt': CA });
  assert.equal(u[0].obj.metadata.annotations.x, 'y');
});

test('against an API server: namespaces created later get both; deleted ones come back', async () => {
  const h = await startControllerAgainstApiServer('kubelite-sactl-', new ServiceAccountController({ rootCA: CA }), realClock);
  try {
    await h.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'later' } });
    const waitFor = async <T>(f: () => Promise<T | undefined>): Promise<T> => {
      for (let i = 0; i < 100; i++) {
        const v = await f().catch(() => undefined);
        if (v) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('timed out');
    };
    const sa: any = await waitFor(() => h.client.get(R.serviceaccounts, 'later', 'default'));
    assert.equal(sa.metadata.name, 'default');
    const cm: any = await waitFor(() => h.client.get(R.configmaps, 'later', ROOT_CA_CONFIGMAP));
    assert.deepEqual(cm.data, { 'ca.crt': CA });
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await waitFor(() => h.client.get(R.serviceaccounts, n, 'default'));
    await h.client.delete(R.serviceaccounts, 'later', 'default');
    const again = await waitFor(async () => {
      const s = await h.client.get(R.serviceaccounts, 'later', 'default');
      return s.metadata.uid !== sa.metadata.uid ? s : undefined;
    });
    assert.ok(again);
    await h.client.patch(R.configmaps, 'later', ROOT_CA_CONFIGMAP, { data: { 'ca.crt': 'x' } });
    await waitFor(async () => ((await h.client.get(R.configmaps, 'later', ROOT_CA_CONFIGMAP)).data['ca.crt'] === CA ? true : undefined));
  } finally {
    await h.stop();
  }
});
