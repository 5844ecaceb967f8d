/**
 * @kubernetes/client-node 1.4.x against `kubelite up` with the kubeconfig it writes (CA + token):
 * create, list, and an informer that sees add/update/delete and recovers (relists) after a 410.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { startCluster, waitFor } from './harness.ts';

test('client-node: create, list, informer add/update/delete and recovery after 410 Expired', async () => {
  let c = await startCluster();
  const dataDir = c.dataDir;
  const port = c.port;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let informer: (k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>) | undefined;
  try {
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
    const made = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'first', labels: { inf: 'yes' } }, data: { a: '1' } } });
    assert.ok(made.metadata?.uid);
    // (the namespace also gets kube-root-ca.crt from the root CA publisher, as upstream: the selector leaves it out)
    const list = await core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'inf=yes' });
    assert.deepEqual(list.items.map((x) => x.metadata?.name), ['first']);
    assert.ok(list.metadata?.resourceVersion);

    const seen: string[] = [];
    const errors: unknown[] = [];
    informer = k8s.makeInformer(kc, '/api/v1/namespaces/cn/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'inf=yes' }), 'inf=yes');
    informer.on('add', (o) => { seen.push(`add ${o.metadata?.name}`); });
    informer.on('update', (o) => { seen.push(`update ${o.metadata?.name} ${o.data?.a}`); });
    informer.on('delete', (o) => { seen.push(`delete ${o.metadata?.name}`); });
    informer.on('error', (e) => { errors.push(e); });
    await informer.start();
    await waitFor(() => seen.includes('add first'), { message: `initial add; seen ${seen}` });
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'second', labels: { inf: 'yes' } }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ namespace: 'cn', name: 'first', body: { data: { a: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ namespace: 'cn', name: 'second' });
    await waitFor(() => seen.includes('add second') && seen.includes('update first 2') && seen.includes('delete second'), { message: `watch events; seen ${seen}` });

    // A write the informer does not select moves the revision past its resume point; then the server restarts
    // (its watch window starts at the current revision), so the informer's resume answers 410 and it must relist.
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'other' }, data: {} } });
    await c.stop({ keepData: true });
    await waitFor(() => errors.length > 0, { message: 'informer noticed the server going away' });
    c = await startCluster({ dataDir, port });
    // changes while the informer was away
    const core2 = kc.makeApiClient(k8s.CoreV1Api);
    await core2.deleteNamespacedConfigMap({ namespace: 'cn', name: 'first' });
    await core2.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'third', labels: { inf: 'yes' } }, data: { a: '1' } } });
    const mark = seen.length;
    await informer.start(); // as callers do after an error: resumes from its resourceVersion -> 410 -> relist
    await waitFor(() => seen.slice(mark).includes('add third') && seen.slice(mark).includes('delete first'), { timeoutMs: 30000, message: `relist after 410; seen ${seen.slice(mark)}` });
    assert.deepEqual(informer.list().map((o: k8s.V1ConfigMap) => o.metadata?.name).sort(), ["third"]);
    await core2.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'fourth', labels: { inf: 'yes' } }, data: { a: '1' } } });
    await waitFor(() => seen.includes('add fourth'), { message: 'events after recovery' });
  } finally {
    await informer?.stop();
    await c.stop();
    rmSync(dataDir, { recursive: true, force: true }); // the restarted cluster was given the first one's data dir
  }
});
