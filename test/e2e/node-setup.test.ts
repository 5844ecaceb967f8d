/** `kubelite setup` is idempotent: a second run builds and pushes nothing, and leaves everything serving. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, repoRoot } from './harness.ts';
import { CriClient } from '../../src/kubelet/cri/client.ts';

test('kubelite setup twice: second run only checks; registry, images and containerd answer', async () => {
  const first = await run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'setup'], { timeoutMs: 900_000 });
  assert.equal(first.code, 0, first.stderr);
  const second = await run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'setup'], { timeoutMs: 120_000 });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /setup done/);
  assert.doesNotMatch(second.stdout, /building image|pushed|installing|starting containerd/);

  const cat = await fetch('http://127.0.0.1:5000/v2/_catalog').then((r) => r.json()) as { repositories: string[] };
  for (const repo of ['library/nginx', 'library/httpd', 'kubelite/pause', 'kubelite/busybox']) assert.ok(cat.repositories.includes(repo), repo);
  const cfg = readFileSync('/var/lib/kubelite/containerd/config.toml', 'utf8');
  assert.match(cfg, /restrict_oom_score_adj = true/);

  const cri = new CriClient('/run/containerd/containerd.sock');
  try {
    const v = await cri.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    // `nginx` resolves through the docker.io mirror to the locally built image.
    const ref = await cri.pullImage('nginx');
    assert.match(ref, /^sha256:/);
    const img = await cri.imageStatus('docker.io/library/nginx:latest');
    assert.ok(img && img.repoTags.includes('docker.io/library/nginx:latest'));
  } finally { cri.close(); }
});
