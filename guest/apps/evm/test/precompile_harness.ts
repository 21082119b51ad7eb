// Test guest for guest/apps/evm/precompiles (precompiles.test.ts): the inbox message is a list of
// calls `id u8 ‖ gas u64 BE ‖ inputLen u32 BE ‖ input`; each gives
// `ok u8 ‖ gasUsed u64 BE ‖ outLen u32 BE ‖ output`. The results, concatenated, are hinted as a
// preimage and their keccak256 is written to bytes32[0].
import { alloc32, copyBytes, readU32BE, readU64BE, writeU32BE, writeU64BE } from "../../../sdk/bytes";
import { hint_preimage, set_global_bytes32 } from "../../../sdk/host";
import { readMessage } from "../../../sdk/inbox";
import { keccak256 } from "../../../sdk/keccak";
import { runPrecompile } from "../precompiles/index";

export function main(): void {
  const msg = readMessage();
  let cap: i32 = 4096;
  let out = alloc32(cap);
  let o: i32 = 0;
  let p = msg.ptr;
  const end = msg.ptr + <usize>msg.len;
  while (p < end) {
    const id = <i32>load<u8>(p);
    const gas = readU64BE(p + 1);
    const len = <i32>readU32BE(p + 9);
    const r = runPrecompile(id, p + 13, len, gas);
    p += 13 + <usize>len;
    const need = o + 13 + r.outLen;
    if (need > cap) {
      while (need > cap) cap *= 2;
      const bigger = alloc32(cap);
      copyBytes(bigger, out, o);
      out = bigger;
    }
    store<u8>(out + <usize>o, r.ok ? 1 : 0);
    writeU64BE(out + <usize>(o + 1), r.gasUsed);
    writeU32BE(out + <usize>(o + 9), <u32>r.outLen);
    copyBytes(out + <usize>(o + 13), r.out, r.outLen);
    o += 13 + r.outLen;
  }
  const hash = alloc32(32);
  keccak256(out, o, hash);
  set_global_bytes32(0, hash);
  hint_preimage(out, o);
}
