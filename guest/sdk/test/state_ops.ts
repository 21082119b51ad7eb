// Test module: applies a list of state-tree operations from the inbox message, no signatures.
//   message := (op u8 ‖ keyLen u16 ‖ key ‖ [valLen u16 ‖ value if op == 1])*
//   op 1 = set, 2 = delete, 3 = get (the value is hashed into bytes32[1]: keccak(prev ‖ found u8 ‖ value))
// Writes the state root to bytes32[0]; stops at the first op that does not decode.
import { alloc32, readU16BE } from "../bytes";
import { get_global_bytes32, get_global_u64, set_global_bytes32, set_global_u64 } from "../host";
import { readMessage } from "../inbox";
import { keccak256 } from "../keccak";
import { stateCommit, stateDelete, stateGet, stateLoad, stateSet } from "../state";

export function main(): void {
  stateLoad();
  const msg = readMessage();
  const p = msg.ptr;
  const len = msg.len;
  const acc = alloc32(32);
  get_global_bytes32(1, acc);
  let off: i32 = 0;
  while (off + 3 <= len) {
    const op = load<u8>(p + <usize>off);
    const keyLen = <i32>readU16BE(p + <usize>(off + 1));
    const key = p + <usize>(off + 3);
    off += 3 + keyLen;
    if (off > len) break;
    if (op == 1) {
      if (off + 2 > len) break;
      const valLen = <i32>readU16BE(p + <usize>off);
      if (off + 2 + valLen > len) break;
      stateSet(key, keyLen, p + <usize>(off + 2), valLen);
      off += 2 + valLen;
    } else if (op == 2) {
      stateDelete(key, keyLen);
    } else if (op == 3) {
      const v = stateGet(key, keyLen);
      const vl = v == null ? 0 : v.len;
      const buf = alloc32(33 + vl);
      memory.copy(buf, acc, 32);
      store<u8>(buf + 32, v == null ? 0 : 1);
      if (v != null) memory.copy(buf + 33, v.ptr, <usize>vl);
      keccak256(buf, 33 + vl, acc);
    } else {
      break;
    }
  }
  set_global_bytes32(1, acc);
  stateCommit();
  set_global_u64(0, get_global_u64(0) + 1);
}
