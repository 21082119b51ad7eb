// Test module: calls precompiles through the precompile preimage oracle (../precompile-oracle.ts).
//   message := (id u8 ‖ inputLen u16 ‖ input)*
// For each call, bytes32[1] = keccak256(bytes32[1] ‖ found u8 ‖ output) (found 0 and no output when
// the precompile fails); u64[0] += 1. Stops at the first call that does not decode.
import { alloc32, copyBytes, readU16BE } from "../bytes";
import { get_global_bytes32, get_global_u64, set_global_bytes32, set_global_u64 } from "../host";
import { readMessage } from "../inbox";
import { keccak256 } from "../keccak";
import { precompileOracle } from "../precompile-oracle";

export function main(): void {
  const msg = readMessage();
  const p = msg.ptr;
  const len = msg.len;
  const acc = alloc32(32);
  get_global_bytes32(1, acc);
  let off: i32 = 0;
  while (off + 3 <= len) {
    const id = load<u8>(p + <usize>off);
    const inLen = <i32>readU16BE(p + <usize>(off + 1));
    off += 3;
    if (off + inLen > len) break;
    const out = precompileOracle(id, p + <usize>off, inLen);
    off += inLen;
    const outLen = out.len < 0 ? 0 : out.len;
    const buf = alloc32(33 + outLen);
    copyBytes(buf, acc, 32);
    store<u8>(buf + 32, out.len < 0 ? 0 : 1);
    copyBytes(buf + 33, out.ptr, outLen);
    keccak256(buf, 33 + outLen, acc);
  }
  set_global_bytes32(1, acc);
  set_global_u64(0, get_global_u64(0) + 1);
}
