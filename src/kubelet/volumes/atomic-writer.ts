/**
 * Upstream's atomic writer (pkg/volume/util/atomic_writer.go): the files of a configMap, secret, downwardAPI or
 * projected volume change all at once. The layout in the volume directory:
 *
 *   ..2026_12_07_06_10_00.123456789/   the payload of one write (timestamped; files with their modes)
 *   ..data -> ..2026_12_07_06_10_00.123456789
 *   key -> ..data/key                  one symlink per top-level path of the payload
 *
 * A write creates a new timestamped dir, points the user-visible symlinks at ..data, swaps ..data by renaming a
 * `..data_tmp` symlink over it (rename is atomic), removes top-level paths no longer in the payload and the old
 * timestamped dir. An unchanged payload writes nothing.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync,
  statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

export interface FileProjection { data: Buffer; mode: number }
export type Payload = Map<string, FileProjection>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';
const MAX_PATH = 4096;
const MAX_SEGMENT = 255;

/** Upstream validatePath: relative, no `..` segment, does not start with `..`, bounded length. */
export function validatePayloadPath(p: string): string | undefined {
  if (p === '') return 'invalid path: must not be empty';
  if (p.length > MAX_PATH) return `invalid path: must be less than or equal to ${MAX_PATH} characters`;
  if (posix.isAbsolute(p)) return 'invalid path: must be relative path';
  const items = p.split('/');
  for (const it of items) {
    if (it === '..') return "invalid path: must not contain '..'";
    if (it.length > MAX_SEGMENT) return `invalid path: must not contain segments longer than ${MAX_SEGMENT} characters`;
  }
  if (items[0].startsWith('..')) return "invalid path: must not start with '..'";
  return undefined;
}

/** `..` + UTC timestamp + `.` + random suffix, as upstream's os.MkdirTemp(dir, "..2006_01_02_15_04_05."). */
function newTimestampDir(dir: string, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const ts = `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
  const d = mkdtempSync(join(dir, ts));
  chmodSync(d, 0o755);
  return d;
}

/** Every file under `root` (relative paths). */
function filesUnder(root: string, rel = ''): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try { names = readdirSync(join(root, rel)); } catch { return out; }
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    const st = lstatSync(join(root, r));
    if (st.isDirectory()) out.push(...filesUnder(root, r));
    else out.push(r);
  }
  return out;
}

/** The payload's contents equal what the current timestamped dir holds (data and mode). */
function samePayload(tsDir: string, payload: Payload): boolean {
  const files = filesUnder(tsDir);
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const full = join(tsDir, f);
    if ((statSync(full).mode & 0o7777) !== want.mode) return false;
    if (!readFileSync(full).equals(want.data)) return false;
  }
  return true;
}

const topOf = (p: string) => p.split('/')[0];

/**
 * Write `payload` into `dir` atomically. Returns whether anything changed. Throws on an invalid path.
 * `now` names the timestamped dir (the node agent's Clock).
 */
export function writeAtomic(dir: string, payload: Payload, now: Date = new Date()): boolean {
  const clean: Payload = new Map();
  for (const [p0, f] of payload) {
    const err = validatePayloadPath(p0);
    if (err) throw new Error(err);
    clean.set(posix.normalize(p0), f);
  }
  mkdirSync(dir, { recursive: true });
  const dataLink = join(dir, DATA);
  let oldTs = '';
  try { oldTs = readlinkSync(dataLink); } catch { /* first write */ }
  const oldTsPath = oldTs ? join(dir, oldTs) : '';
  if (oldTsPath && existsSync(oldTsPath) && samePayload(oldTsPath, clean)) return false;
  const oldTop = new Set(oldTsPath ? filesUnder(oldTsPath).map(topOf) : []);

  const ts = newTimestampDir(dir, now);
  for (const [p, f] of clean) {
    const full = join(ts, p);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, f.data, { mode: f.mode });
    chmodSync(full, f.mode);
  }
  const newTop = new Set([...clean.keys()].map(topOf));
  for (const t of newTop) {
    const visible = join(dir, t);
    let isLink = false;
    try { isLink = lstatSync(visible).isSymbolicLink(); } catch { /* absent */ }
    if (!isLink) {
      rmSync(visible, { recursive: true, force: true });
      symlinkSync(join(DATA, t), visible);
    }
  }
  const tmp = join(dir, DATA_TMP);
  rmSync(tmp, { force: true });
  symlinkSync(ts.slice(dir.length + 1), tmp);
  renameSync(tmp, dataLink);
  for (const t of oldTop) if (!newTop.has(t)) { try { unlinkSync(join(dir, t)); } catch { /* gone */ } }
  if (oldTsPath && oldTsPath !== ts) rmSync(oldTsPath, { recursive: true, force: true });
  return true;
}
