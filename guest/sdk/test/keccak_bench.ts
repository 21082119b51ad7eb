// Test module: keccak256 of the inbox message, repeated u64[0] times; the hash goes to bytes32[0].
import { alloc32 } from "../bytes";
import { get_global_u64, set_global_bytes32 } from "../host";
import { readMessage } from "../inbox";
import { keccak256 } from "../keccak";

export function main(): void {
  const msg = readMessage();
  const out = alloc32(32);
  const n = get_global_u64(0);
  for (let i: u64 = 0; i < n; i++) keccak256(msg.ptr, msg.len, out);
  set_global_bytes32(0, out);
}
