// ECRECOVER, the EVM precompile 0x01 (docs/evm.md "Precompiles"), through the machine's `ecrecover`
// host op (docs/machine.md §6): input = hash (32) ‖ v (32) ‖ r (32) ‖ s (32), zero-padded or
// truncated to 128 bytes; v must be the word 27 or 28. The output is the signer's address as a
// 32-byte word (12 zero bytes first), or empty when the signature does not recover; the gas (3,000)
// is charged either way.
import { alloc32, copyBytes } from "../../../sdk/bytes";
import { ecrecover } from "../../../sdk/host";

export const ECRECOVER_GAS: u64 = 3000;

/** the address of the 32-byte output, or 0 (an empty output) when the signature does not recover */
export function ecrecoverRun(input: usize, len: i32): usize {
  // host pointers must be 32-aligned: hash at buf, v at buf + 32, r ‖ s at buf + 64
  const buf = alloc32(128);
  for (let i: usize = 0; i < 128; i += 8) store<u64>(buf + i, 0);
  copyBytes(buf, input, len < 128 ? len : 128);
  // v: 31 zero bytes, then 27 or 28
  if ((load<u64>(buf, 32) | load<u64>(buf, 40) | load<u64>(buf, 48)) != 0) return 0;
  if ((load<u64>(buf, 56) & 0x00ffffffffffffff) != 0) return 0;
  const v = <i32>load<u8>(buf, 63);
  if (v != 27 && v != 28) return 0;
  const out = alloc32(32);
  // the host op checks r, s ∈ [1, n−1] and that r is an x-coordinate on the curve
  if (ecrecover(buf, buf + 64, v, out) != 1) return 0;
  return out;
}
