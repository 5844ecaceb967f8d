/**
 * Debian packages only the tests use, installed by `node test/run.mjs` before the e2e tests when missing:
 * chromium (the dashboard's browser tests, ./browser.ts) and python3-kubernetes (the official Python client,
 * ./python/official_client.py, run with Debian's /usr/bin/python3).
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const CHROMIUM = '/usr/bin/chromium';
export const PYTHON = '/usr/bin/python3';

/** apt-get install, once more after `apt-get update` when the package lists are stale or missing. */
function aptInstall(pkg: string): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], { stdio: 'inherit', env }).status;
  if (install() === 0) return;
  spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  if (install() !== 0) throw new Error(`${pkg} is not installed and apt-get could not install it`);
}

export function ensureChromium(): void {
  if (!existsSync(CHROMIUM)) aptInstall('chromium');
  if (!existsSync(CHROMIUM)) throw new Error(`chromium installed but ${CHROMIUM} is missing`);
}

export function ensurePythonClient(): void {
  const present = () => spawnSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
  if (!present()) aptInstall('python3-kubernetes');
  if (!present()) throw new Error('python3-kubernetes installed but `import kubernetes` fails');
}
