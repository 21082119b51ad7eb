/** Test data for the blob tests (l1-blob.test.ts, blob-tx.test.ts). */

/**
 * `n` bytes, mostly zero (KZG skips zero scalars: fast), with non-zero bytes around every blob
 * boundary of the blob stream (docs/blob.md §1) and at the end.
 */
export function sparseBatch(n: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i += 4099) d[i] = (i >> 3) & 0xff || 1;
  for (let b = 126_972; b < n; b += 126_976) d.fill(0xa5, Math.max(0, b - 40), Math.min(n, b + 40));
  d.fill(0x5a, Math.max(0, n - 40));
  return d;
}
