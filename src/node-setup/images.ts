/**
 * Offline images, built from Debian packages on this machine and pushed to the local registry.
 *
 * No image registry on the internet is reachable from these machines, so the images the guide and the tests
 * use are built here: `nginx` and `httpd` (mmdebstrap + the Debian package, serving the default page on :80 in
 * the foreground, logs to stdout/stderr), a pause image (a tiny static C program) and `kubelite/busybox`
 * (busybox-static: sh, sleep, httpd, nc, wget, ...), and `curlimages/curl` (Debian's curl). Each image is a single uncompressed layer in an OCI
 * layout; the layout is cached under the state dir keyed by a hash of its recipe, so a second run only checks.
 * On a connected machine the docker.io mirror falls through to the real registry as usual.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync, renameSync, createReadStream, statSync, symlinkSync, chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, run, httpStatus } from './host.ts';

export const REGISTRY = '127.0.0.1:5000';

export interface ImageRecipe {
  /** Repository path in the registry, e.g. library/nginx (= docker.io/library/nginx = `nginx`). */
  repo: string;
  /** Further repositories that serve the same image and tags (not part of the build, so not of its cache key). */
  aliases?: string[];
  tags: string[];
  /** Everything that determines the result; hashed for the cache key. */
  recipe: string;
  /** Build the root filesystem as a tar file at `tarPath` (work dir `dir` is scratch). */
  buildRootfsTar(dir: string, tarPath: string): Promise<void>;
  config: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; WorkingDir?: string; ExposedPorts?: Record<string, object>; StopSignal?: string };
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DPKG_EXCLUDES = ['path-exclude=/usr/share/doc/*', 'path-exclude=/usr/share/man/*', 'path-exclude=/usr/share/locale/*', 'path-exclude=/usr/share/info/*'];

const PAUSE_C = `/* kubelite pause: holds the pod's namespaces; sleeps until SIGINT/SIGTERM, reaps orphans. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void quit(int s) { (void)s; _exit(0); }
static void reap(int s) { (void)s; while (waitpid(-1, NULL, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction a = {0};
  a.sa_handler = quit; sigaction(SIGINT, &a, NULL); sigaction(SIGTERM, &a, NULL);
  a.sa_handler = reap; a.sa_flags = SA_NOCLDSTOP; sigaction(SIGCHLD, &a, NULL);
  for (;;) pause();
  return 0;
}
`;

const HTTPD_ENTRY = `#!/bin/sh
# kubelite httpd image: apache2 in the foreground, as the official httpd image runs it.
set -e
. /etc/apache2/envvars
mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" "$APACHE_LOG_DIR"
rm -f "$APACHE_PID_FILE"
exec /usr/sbin/apache2 -D FOREGROUND "$@"
`;
const HTTPD_INDEX = '<html><body><h1>It works!</h1></body></html>\n';

/** mmdebstrap hook commands that turn a Debian root into an image: logs to stdout/stderr, no apt lists. */
function debootstrapRootfs(pkgs: string[], hooks: string[]) {
  return async (dir: string, tarPath: string) => {
    const args = ['--variant=apt', `--include=${pkgs.join(',')}`, ...DPKG_EXCLUDES.map((d) => `--dpkgopt=${d}`),
      ...hooks.map((h) => `--customize-hook=${h}`),
      '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log',
      'bookworm', tarPath];
    await check('mmdebstrap', args, { cwd: dir, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
}

export const RECIPES: ImageRecipe[] = [
  {
    repo: 'kubelite/pause', tags: ['3.9'],
    recipe: `pause v1\n${PAUSE_C}`,
    async buildRootfsTar(dir, tarPath) {
      const root = join(dir, 'root');
      mkdirSync(root, { recursive: true });
      writeFileSync(join(dir, 'pause.c'), PAUSE_C);
      await check('gcc', ['-static', '-Os', '-s', '-o', join(root, 'pause'), join(dir, 'pause.c')]);
      await check('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tarPath, '.']);
    },
    config: { Entrypoint: ['/pause'], Env: [PATH_ENV] },
  },
  {
    // Also `busybox` (docker.io/library/busybox): manifests and test suites written for any cluster use that name,
    // e.g. the official Python client's own e2e tests.
    repo: 'kubelite/busybox', aliases: ['library/busybox'], tags: ['latest', '1.35'],
    recipe: 'busybox v1: /bin/busybox from busybox-static with every applet linked; /etc/passwd, /tmp, /var/www',
    async buildRootfsTar(dir, tarPath) {
      const root = join(dir, 'root');
      for (const d of ['bin', 'etc', 'tmp', 'root', 'var/www', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), { recursive: true });
      await check('cp', ['/bin/busybox', join(root, 'bin/busybox')]);
      const applets = (await check('/bin/busybox', ['--list'])).split('\n').map((s) => s.trim()).filter(Boolean);
      for (const a of applets) if (a !== 'busybox' && !existsSync(join(root, 'bin', a))) symlinkSync('busybox', join(root, 'bin', a));
      writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
      writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
      writeFileSync(join(root, 'var/www/index.html'), 'kubelite busybox\n');
      chmodSync(join(root, 'tmp'), 0o1777);
      await check('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-cf', tarPath, '.']);
    },
    config: { Cmd: ['sh'], Env: [PATH_ENV] },
  },
  {
    repo: 'library/nginx', tags: ['latest', 'stable', '1.7.9', '1.25', '1.27'],
    recipe: `nginx v1: mmdebstrap --variant=apt bookworm nginx-light; ${DPKG_EXCLUDES.join(' ')}; logs -> /dev/stdout,/dev/stderr; nginx -g daemon off;`,
    buildRootfsTar: debootstrapRootfs(['nginx-light'], [
      'ln -sf /dev/stdout "$1"/var/log/nginx/access.log',
      'ln -sf /dev/stderr "$1"/var/log/nginx/error.log',
    ]),
    config: { Cmd: ['nginx', '-g', 'daemon off;'], Env: [PATH_ENV], ExposedPorts: { '80/tcp': {} }, StopSignal: 'SIGQUIT' },
  },
  {
    repo: 'library/httpd', tags: ['latest', '2.4', '2'],
    recipe: `httpd v1: mmdebstrap --variant=apt bookworm apache2; ${DPKG_EXCLUDES.join(' ')}; logs -> stdout/stderr; index ${HTTPD_INDEX}; entry ${HTTPD_ENTRY}`,
    buildRootfsTar: async (dir, tarPath) => {
      writeFileSync(join(dir, 'httpd-foreground'), HTTPD_ENTRY);
      writeFileSync(join(dir, 'index.html'), HTTPD_INDEX);
      await debootstrapRootfs(['apache2'], [
        `copy-in ${join(dir, 'httpd-foreground')} /usr/local/bin`,
        'chmod 755 "$1"/usr/local/bin/httpd-foreground',
        `copy-in ${join(dir, 'index.html')} /var/www/html`,
        'ln -sf /dev/stdout "$1"/var/log/apache2/access.log',
        'ln -sf /dev/stdout "$1"/var/log/apache2/other_vhosts_access.log',
        'ln -sf /dev/stderr "$1"/var/log/apache2/error.log',
      ])(dir, tarPath);
    },
    config: { Cmd: ['httpd-foreground'], Env: [PATH_ENV], ExposedPorts: { '80/tcp': {} }, StopSignal: 'SIGWINCH' },
  },
  {
    // For pods that call HTTPS APIs, e.g. the API server with their service-account token and ca.crt (busybox's
    // wget neither verifies certificates nor completes a TLS 1.2 handshake with an OpenSSL 3 server).
    repo: 'curlimages/curl', tags: ['latest', '7.88.1'],
    recipe: `curl v1: mmdebstrap --variant=apt bookworm curl ca-certificates; ${DPKG_EXCLUDES.join(' ')}; curl`,
    buildRootfsTar: debootstrapRootfs(['curl', 'ca-certificates'], []),
    config: { Entrypoint: ['curl'], Cmd: ['--help'], Env: [PATH_ENV] },
  },
];

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}
const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

export function recipeHash(r: ImageRecipe): string {
  return sha256(JSON.stringify({ recipe: r.recipe, config: r.config, tags: r.tags })).slice(0, 16);
}

/** Pack a rootfs tar as a one-layer OCI image layout in `layout` (blobs + index.json), tagged with each tag. */
async function writeOciLayout(layout: string, layerTar: string, r: ImageRecipe): Promise<void> {
  const blobs = join(layout, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  const layerDigest = await sha256File(layerTar);
  const layerSize = statSync(layerTar).size;
  renameSync(layerTar, join(blobs, layerDigest));
  const config = {
    architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z',
    config: r.config,
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: `kubelite setup: ${r.recipe.split('\n')[0]}` }],
  };
  const configJson = JSON.stringify(config);
  const configDigest = sha256(configJson);
  writeFileSync(join(blobs, configDigest), configJson);
  const manifest = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configDigest}`, size: Buffer.byteLength(configJson) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerDigest}`, size: layerSize }],
  };
  const manifestJson = JSON.stringify(manifest);
  const manifestDigest = sha256(manifestJson);
  writeFileSync(join(blobs, manifestDigest), manifestJson);
  const index = {
    schemaVersion: 2,
    manifests: r.tags.map((t) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${manifestDigest}`, size: Buffer.byteLength(manifestJson),
      annotations: { 'org.opencontainers.image.ref.name': t },
    })),
  };
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}

/** Build (or reuse from cache) the OCI layout of a recipe; returns its directory. */
export async function buildImage(stateDir: string, r: ImageRecipe, log: (s: string) => void): Promise<string> {
  const cacheDir = join(stateDir, 'images');
  const name = r.repo.replace(/\//g, '_');
  const layout = join(cacheDir, `${name}-${recipeHash(r)}`);
  if (existsSync(join(layout, 'index.json'))) return layout;
  mkdirSync(cacheDir, { recursive: true });
  // Older builds of the same image are replaced.
  for (const f of readdirSync(cacheDir)) if (f.startsWith(`${name}-`)) rmSync(join(cacheDir, f), { recursive: true, force: true });
  const work = join(cacheDir, `.build-${name}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const t0 = Date.now();
  log(`  building image ${r.repo} from Debian packages (offline image, built once and cached)...`);
  try {
    const tar = join(work, 'layer.tar');
    await r.buildRootfsTar(work, tar);
    const tmpLayout = join(work, 'layout');
    await writeOciLayout(tmpLayout, tar, r);
    renameSync(tmpLayout, layout);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`  built ${r.repo} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return layout;
}

function manifestDigestOf(layout: string): string {
  const idx = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  return idx.manifests[0].digest;
}

/** Every [repository, tag] a recipe is pushed as: each tag under its repository and under each alias. */
export function pushRefs(r: ImageRecipe): [string, string][] {
  return [r.repo, ...(r.aliases ?? [])].flatMap((repo) => r.tags.map((tag): [string, string] => [repo, tag]));
}

/**
 * Push every tag of a built layout unless the registry already holds what we pushed from this layout
 * (skopeo rewrites the manifest on the way, so the pushed digest is remembered in pushed.json).
 */
export async function pushImage(stateDir: string, layout: string, r: ImageRecipe, log: (s: string) => void): Promise<void> {
  const markerFile = join(stateDir, 'images', 'pushed.json');
  let marker: Record<string, { layout: string; digest: string }> = {};
  try { marker = JSON.parse(readFileSync(markerFile, 'utf8')); } catch { /* first push */ }
  const src = manifestDigestOf(layout);
  for (const [repo, tag] of pushRefs(r)) {
    const ref = `${repo}:${tag}`;
    const have = await registryDigest(repo, tag);
    if (have && marker[ref]?.layout === src && marker[ref]?.digest === have) continue;
    const res = await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${REGISTRY}/${ref}`]);
    if (res.code !== 0) throw new Error(`pushing ${ref} to the local registry failed: ${res.stderr.trim()}`);
    marker[ref] = { layout: src, digest: await registryDigest(repo, tag) };
    writeFileSync(markerFile, JSON.stringify(marker, null, 1));
    log(`  pushed ${REGISTRY}/${ref}`);
  }
}

/** The manifest digest the local registry serves for repo:tag, or '' when absent. */
async function registryDigest(repo: string, tag: string): Promise<string> {
  const http = await import('node:http');
  return new Promise((resolve) => {
    const req = http.request(`http://${REGISTRY}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD', timeout: 2000,
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
    }, (res) => { res.resume(); resolve(res.statusCode === 200 ? String(res.headers['docker-content-digest'] ?? '') : ''); });
    req.on('timeout', () => { req.destroy(); resolve(''); });
    req.on('error', () => resolve(''));
    req.end();
  });
}

export async function registryUp(): Promise<boolean> {
  return (await httpStatus(`http://${REGISTRY}/v2/`)) === 200;
}
