// EIP-191 signatures ("\x19Ethereum Signed Message:\n32" ‖ digest) checked with the ecrecover host op.
import { alloc32, cmp256, copy32, copyBytes, isZero32 } from "./bytes";
import { ecrecover } from "./host";
import { keccak256 } from "./keccak";

// "\x19Ethereum Signed Message:\n32" (28 bytes)
const PREFIX = memory.data<u8>([
  0x19, 0x45, 0x74, 0x68, 0x65, 0x72, 0x65, 0x75, 0x6d, 0x20, 0x53, 0x69, 0x67, 0x6e, 0x65, 0x64, 0x20, 0x4d,
  0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x3a, 0x0a, 0x33, 0x32,
]);
// secp256k1 n / 2
const HALF_N = memory.data<u8>([
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57,
  0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

/**
 * The signer of a 32-byte digest (EIP-191 personal message of the raw digest): a 32-byte aligned
 * word (address in bytes 12..32), or 0 if v is not 27/28, s is in the upper half of the curve order,
 * or recovery fails.
 */
export function recoverPersonal(digest: usize, r: usize, s: usize, v: u32): usize {
  if (v != 27 && v != 28) return 0;
  if (cmp256(s, HALF_N) > 0) return 0;
  const msg = alloc32(60);
  copyBytes(msg, PREFIX, 28);
  copy32(msg + 28, digest);
  const signed = alloc32(32);
  keccak256(msg, 60, signed);
  const sig = alloc32(64);
  copy32(sig, r);
  copy32(sig + 32, s);
  const out = alloc32(32);
  if (ecrecover(signed, sig, <i32>v, out) != 1) return 0;
  if (isZero32(out)) return 0;
  return out;
}
