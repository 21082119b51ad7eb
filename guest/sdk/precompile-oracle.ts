// The precompile preimage oracle (docs/machine.md §6.3, preimage kind 2): the result of an EVM
// precompile that L1 also has (bn254 add 0x06, mul 0x07, pairing 0x08, KZG point evaluation 0x0a)
// is read as a preimage instead of being computed in the guest. The key is
// keccak256(address (20 bytes) ‖ input); the guest hints that key preimage (hint_preimage) so that
// the host can recompute the call, and L1's PreimageOracle.loadPrecompilePreimage makes the same
// call to store the answer. The preimage is `status (1 byte: 1 success, 0 failure) ‖ output`.
import { alloc32, Bytes, copyBytes } from "./bytes";
import { hint_preimage, preimage_read } from "./host";
import { keccak256 } from "./keccak";

export const PREIMAGE_KIND_PRECOMPILE: i32 = 2;

/** whether `id` is one of the precompiles the oracle answers (docs/machine.md §6.3) */
export function isOraclePrecompile(id: u8): bool {
  return id == 0x06 || id == 0x07 || id == 0x08 || id == 0x0a;
}

/**
 * The output of precompile `id` (0x06, 0x07, 0x08 or 0x0a) on `inputLen` bytes at `input`;
 * `len == -1` (and `ptr == 0`) when the precompile fails (bad input). Another id traps: the host
 * and L1 answer these four only. The output is a view of the read buffer at byte 1: not 32-aligned.
 */
export function precompileOracle(id: u8, input: usize, inputLen: i32): Bytes {
  if (!isOraclePrecompile(id) || inputLen < 0) unreachable();
  // Inputs whose result is known without the call, so that an L1 load never carries more calldata
  // than the result depends on (docs/machine.md §6.3): add and mul read only their first 128 / 96
  // bytes (EIP-196), a pairing input not a multiple of 192 bytes and a point evaluation input not
  // 192 bytes fail (EIP-197, EIP-4844).
  if (id == 0x06 && inputLen > 128) inputLen = 128;
  if (id == 0x07 && inputLen > 96) inputLen = 96;
  if (id == 0x08 && inputLen % 192 != 0) return new Bytes(0, -1);
  if (id == 0x0a && inputLen != 192) return new Bytes(0, -1);
  const keyLen = 20 + inputLen;
  const keyPre = alloc32(keyLen);
  for (let i: usize = 0; i < 19; i++) store<u8>(keyPre + i, 0);
  store<u8>(keyPre + 19, id);
  copyBytes(keyPre + 20, input, inputLen);
  const key = alloc32(32);
  keccak256(keyPre, keyLen, key);
  hint_preimage(keyPre, keyLen);
  // status ‖ output, read 32 bytes at a time until a short read (at most 65 bytes for these four)
  let cap: i32 = 96;
  let buf = alloc32(cap);
  let len: i32 = 0;
  for (;;) {
    if (len + 32 > cap) {
      const bigger = alloc32(cap * 2);
      copyBytes(bigger, buf, len);
      buf = bigger;
      cap *= 2;
    }
    const n = preimage_read(PREIMAGE_KIND_PRECOMPILE, key, len, buf + <usize>len);
    len += n;
    if (n < 32) break;
  }
  if (len == 0 || load<u8>(buf) != 1) return new Bytes(0, -1);
  return new Bytes(buf + 1, len - 1);
}
