// Test guest for guest/apps/evm/u256.ts (u256.test.ts): the inbox message is a list of records
// `op u8 ‖ alias u8 ‖ len u8 ‖ 5 zero bytes ‖ operands (32 bytes each, little-endian)`; each record
// gives one 32-byte little-endian result. The results, concatenated, are hinted as a preimage and
// their keccak256 is written to bytes32[0].
// alias: 0 = the result goes to a fresh word; k = the result overwrites operand k (1-based).
// Predicates give 0/1, u256Cmp gives cmp + 1, u256ByteLen the length, u256Low64 the low limb.
import { alloc32, copy32 } from "../../../sdk/bytes";
import { hint_preimage, set_global_bytes32 } from "../../../sdk/host";
import { readMessage } from "../../../sdk/inbox";
import { keccak256 } from "../../../sdk/keccak";
import {
  u256Add,
  u256AddMod,
  u256And,
  u256Byte,
  u256ByteLen,
  u256Cmp,
  u256Copy,
  u256Div,
  u256Eq,
  u256Exp,
  u256FitsU64,
  u256FromBE,
  u256Gt,
  u256IsZero,
  u256Low64,
  u256Lt,
  u256Mod,
  u256Mul,
  u256MulMod,
  u256Not,
  u256Or,
  u256Sar,
  u256SDiv,
  u256SetU64,
  u256Sgt,
  u256Shl,
  u256Shr,
  u256SignExtend,
  u256Slt,
  u256SMod,
  u256Sub,
  u256ToBE,
  u256Xor,
} from "../u256";

/** operands of each op (index = op code) */
const ARITY = memory.data<u8>([
  2, 2, 2, 2, 2, 2, 2, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1,
]);

function pred(r: usize, v: bool): void {
  u256SetU64(r, v ? 1 : 0);
}

function run(op: u32, r: usize, a: usize, b: usize, c: usize, len: i32): void {
  switch (op) {
    case 0: u256Add(r, a, b); break;
    case 1: u256Sub(r, a, b); break;
    case 2: u256Mul(r, a, b); break;
    case 3: u256Div(r, a, b); break;
    case 4: u256SDiv(r, a, b); break;
    case 5: u256Mod(r, a, b); break;
    case 6: u256SMod(r, a, b); break;
    case 7: u256AddMod(r, a, b, c); break;
    case 8: u256MulMod(r, a, b, c); break;
    case 9: u256Exp(r, a, b); break;
    case 10: u256SignExtend(r, a, b); break;
    case 11: u256Byte(r, a, b); break;
    case 12: u256Shl(r, a, b); break;
    case 13: u256Shr(r, a, b); break;
    case 14: u256Sar(r, a, b); break;
    case 15: u256And(r, a, b); break;
    case 16: u256Or(r, a, b); break;
    case 17: u256Xor(r, a, b); break;
    case 18: u256Not(r, a); break;
    case 19: pred(r, u256Lt(a, b)); break;
    case 20: pred(r, u256Gt(a, b)); break;
    case 21: pred(r, u256Slt(a, b)); break;
    case 22: pred(r, u256Sgt(a, b)); break;
    case 23: pred(r, u256Eq(a, b)); break;
    case 24: pred(r, u256IsZero(a)); break;
    case 25: u256SetU64(r, <u64>(u256Cmp(a, b) + 1)); break;
    case 26: u256SetU64(r, u256Low64(a)); break;
    case 27: u256Copy(r, a); break;
    case 28: pred(r, u256FitsU64(a)); break;
    case 29: u256SetU64(r, <u64>u256ByteLen(a)); break;
    case 30: u256FromBE(r, a, len); break;
    case 31: u256ToBE(r, a); break;
    default: unreachable();
  }
}

export function main(): void {
  const msg = readMessage();
  const out = alloc32(msg.len);
  const ops = alloc32(96);
  const fresh = alloc32(32);
  let p = msg.ptr;
  const end = msg.ptr + <usize>msg.len;
  let o = out;
  while (p < end) {
    const op = <u32>load<u8>(p);
    const alias = <i32>load<u8>(p, 1);
    const len = <i32>load<u8>(p, 2);
    const n = <i32>load<u8>(ARITY + op);
    p += 8;
    for (let i = 0; i < n; i++) copy32(ops + (<usize>i << 5), p + (<usize>i << 5));
    p += <usize>n << 5;
    const r = alias == 0 ? fresh : ops + (<usize>(alias - 1) << 5);
    run(op, r, ops, ops + 32, ops + 64, len);
    copy32(o, r);
    o += 32;
  }
  const hash = alloc32(32);
  const outLen = <i32>(o - out);
  keccak256(out, outLen, hash);
  set_global_bytes32(0, hash);
  hint_preimage(out, outLen);
}
