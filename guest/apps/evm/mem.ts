// Zero-filling by 8-byte words: memory.fill is lowered to a byte loop in the machine (about 15
// interpreter steps per byte, docs/machine.md), this costs about half a step per byte.

/** `n` zero bytes at p */
export function zeroMem(p: usize, n: usize): void {
  const end = p + n;
  let q = p;
  while (q + 32 <= end) {
    store<u64>(q, 0);
    store<u64>(q, 0, 8);
    store<u64>(q, 0, 16);
    store<u64>(q, 0, 24);
    q += 32;
  }
  while (q + 8 <= end) {
    store<u64>(q, 0);
    q += 8;
  }
  while (q < end) {
    store<u8>(q, 0);
    q++;
  }
}
