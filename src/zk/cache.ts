/**
 * Where src/zk keeps compiled circuits and keys (docs/validity.md §4): `node_modules/.cache/modex-zk`
 * under the package root, beside the guests' `modex-asc` cache (src/apps/sdk/run-app.ts). Every
 * entry's name ends in the content hash of what it was made from, so a stale entry is never read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.ts';

export const ZK_CACHE_DIR = join(PACKAGE_ROOT, 'node_modules', '.cache', 'modex-zk');

/** The cache directory (created), or `dir` when given. */
export function cacheDir(dir?: string): string {
  const d = dir ?? ZK_CACHE_DIR;
  mkdirSync(d, { recursive: true });
  return d;
}

/** sha256 over labelled parts (a label, then each part with its length), hex. */
export function contentHash(label: string, parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256').update(label).update('\0');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p) : p;
    h.update(String(b.length)).update('\0').update(b);
  }
  return h.digest('hex');
}

/** Makes `final` by running `make(tmp)` on a temporary path beside it, then renaming (atomic). */
export async function writeAtomically(final: string, make: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${final}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await make(tmp);
    // another process may have made the same entry meanwhile: same content hash, same content
    if (!existsSync(final)) renameSync(tmp, final);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** sha256 of a file, read in 16 MiB chunks (a ceremony's .ptau may be gigabytes), hex. */
export function fileHash(path: string): string {
  const h = createHash('sha256');
  const buf = Buffer.alloc(16 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** The first `n` bytes of a file (its magic). */
export function fileHead(path: string, n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}
