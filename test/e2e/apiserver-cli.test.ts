/**
 * `kubelite up` / `kubelite down` as a user runs them: the kubeconfig merged into ~/.kube/config (other contexts
 * kept, ours current), `kubectl` working through it, `kubelite down` stopping the process, SIGINT stopping cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { freePort, repoRoot, run, waitFor } from './harness.ts';

function upProcess(home: string, dataDir: string, port: number) {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.KUBECONFIG;
  const p = spawn(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'up', '--data-dir', dataDir, '--api-port', String(port), '--no-node'], { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d) => { out += d; });
  p.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  return { p, out: () => out, exited, env };
}

test('kubelite up merges its kubeconfig into ~/.kube/config; kubelite down stops it; SIGINT stops cleanly', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kubelite-home-'));
  const dataDir = join(home, '.kubelite');
  mkdirSync(join(home, '.kube'), { recursive: true });
  writeFileSync(join(home, '.kube', 'config'), YAML.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'other',
    clusters: [{ name: 'other', cluster: { server: 'https://192.0.2.1:6443' } }],
    users: [{ name: 'other', user: { token: 't' } }],
    contexts: [{ name: 'other', context: { cluster: 'other', user: 'other' } }],
  }));
  const port = await freePort();
  const up = upProcess(home, dataDir, port);
  try {
    await waitFor(() => /ready.*kubeconfig/.test(up.out()), { timeoutMs: 90000, message: `ready line: ${up.out()}` });
    assert.match(up.out(), new RegExp(`ready — kubeconfig: ${dataDir}/kubeconfig`));
    const kc = YAML.parse(readFileSync(join(home, '.kube', 'config'), 'utf8'));
    assert.equal(kc['current-context'], 'kubelite');
    assert.deepEqual(kc.contexts.map((c: any) => c.name).sort(), ['kubelite', 'other']);
    assert.ok(existsSync(join(dataDir, 'kubelite.pid')));
    const cache = mkdtempSync(join(tmpdir(), 'kubelite-cli-cache-'));
    const r = await run('kubectl', ['--cache-dir', cache, 'get', 'ns', 'default', '-o', 'name'], { env: up.env });
    rmSync(cache, { recursive: true, force: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'namespace/default');
    const d = await run(process.execPath, [join(repoRoot, 'bin/kubelite.js'), 'down', '--data-dir', dataDir], { env: up.env, timeoutMs: 60000 });
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /kubelite: stopped/);
    assert.equal(await up.exited, 0);
    assert.ok(!existsSync(join(dataDir, 'kubelite.pid')));
  } finally {
    up.p.kill('SIGKILL');
  }
  // again on the same data dir, stopped with SIGINT
  const again = upProcess(home, dataDir, port);
  try {
    await waitFor(() => /ready.*kubeconfig/.test(again.out()), { timeoutMs: 90000, message: `ready line: ${again.out()}` });
    again.p.kill('SIGINT');
    assert.equal(await again.exited, 0);
    assert.match(again.out(), /kubelite: stopped/);
  } finally {
    again.p.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
});
