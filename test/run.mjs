#!/usr/bin/env node
// Runs the test suite with node's built-in test runner (through tsx for TypeScript).
//   node test/run.mjs            -> unit tests, then e2e tests (after `kubelite setup`)
//   node test/run.mjs unit       -> unit tests only
//   node test/run.mjs e2e        -> e2e tests only
//   node test/run.mjs <file...>  -> just those files
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(new URL('..', import.meta.url).pathname);
function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}
const args = process.argv.slice(2);
let files;
const sel = args[0] ?? 'all';
if (sel === 'unit') files = find(join(root, 'test/unit'));
else if (sel === 'e2e') files = find(join(root, 'test/e2e'));
else if (sel === 'all') files = [...find(join(root, 'test/unit')), ...find(join(root, 'test/e2e'))];
else files = args.map((a) => resolve(a));

if (sel === 'all' || sel === 'e2e') {
  // Host prerequisites for the end-to-end tests (packages, registry, images, containerd): idempotent.
  const r = spawnSync(process.execPath, [join(root, 'bin/kubelite.js'), 'setup'], { stdio: 'inherit' });
  if (r.status !== 0) { console.error('kubelite setup failed'); process.exit(r.status ?? 1); }
  // Debian packages only the tests use: chromium (dashboard browser tests), python3-kubernetes (the official Python client).
  const b = spawnSync(process.execPath, ['--import', 'tsx', '-e', "const t = await import('./test/e2e/test-packages.ts'); t.ensureChromium(); t.ensurePythonClient();"], { stdio: 'inherit', cwd: root });
  if (b.status !== 0) { console.error('test packages (chromium, python3-kubernetes) could not be installed'); process.exit(b.status ?? 1); }
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit', cwd: root,
});
process.exit(r.status ?? 1);
