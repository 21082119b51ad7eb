// Test module for src/apps/sdk/brotli.test.ts: inflates the whole inbox message as a brotli stream
// (brotli.ts) and reports the result in the global state: u64[1] = the output length (all ones if
// the stream does not inflate), bytes32[1] = keccak256 of the output if it is at most 64 KiB.
import { inflate } from "./brotli";
import { alloc32 } from "./bytes";
import { set_global_bytes32, set_global_u64 } from "./host";
import { readMessage } from "./inbox";
import { keccak256 } from "./keccak";

export function main(): void {
  const msg = readMessage();
  const out = inflate(msg.ptr, msg.len);
  if (out == null) {
    set_global_u64(1, 0xffffffffffffffff);
    return;
  }
  if (out.len <= 65536) {
    const h = alloc32(32);
    keccak256(out.ptr, out.len, h);
    set_global_bytes32(1, h);
  }
  set_global_u64(1, <u64>out.len);
}
