// Test guest for guest/sdk/zk (src/apps/ztoken/zk-guest.test.ts): the inbox message is a list of
// records `op u8 ‖ operands (32 bytes each, big-endian)`; each gives a result, and the results,
// concatenated, are hinted as a preimage whose keccak256 is written to bytes32[0].
//   1 mul a b → 32   2 add a b → 32   3 sub a b → 32   4 inv a → 32   (an operand ≥ p: 32 × 0xff)
//   5 poseidon: n u8 ‖ n operands → 32 (0xff… if one is ≥ p)
//   6 onCurve x y → 1   7 inSubgroup x y → 1
//   8 verifyPoseidon msg r8x r8y s ax ay → 1 (0 when a field operand is ≥ p, like the model)
//   9 k·(x, y) x y k → 64 (affine x ‖ y)
//   10 / 11: n u8 → 32: n·1000 products (10) or sums (11) of 3 with itself (a step count benchmark)
import { alloc32, heapAlloc32, arenaMark, arenaRelease } from "../bytes";
import { hint_preimage, set_global_bytes32 } from "../host";
import { readMessage } from "../inbox";
import { keccak256 } from "../keccak";
import { inSubgroup, onCurve, pointFromAffine, pointMul, pointNew } from "../zk/babyjub";
import { verifyPoseidon } from "../zk/eddsa";
import { FR_SIZE, frAdd, frFromBE, frInv, frMul, frSub, frToBE } from "../zk/field";
import { poseidon } from "../zk/poseidon";

const FS: usize = <usize>FR_SIZE;
const THREE = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);

export function main(): void {
  const msg = readMessage();
  const p = msg.ptr;
  const len = msg.len;
  const out = heapAlloc32(len * 2 + 64);
  let o: usize = 0;
  let off: i32 = 0;
  while (off < len) {
    const op = load<u8>(p + <usize>off);
    off++;
    const mark = arenaMark();
    if (op >= 1 && op <= 4) {
      const nargs = op == 4 ? 1 : 2;
      const a = alloc32(FR_SIZE);
      const b = alloc32(FR_SIZE);
      let ok = frFromBE(a, p + <usize>off);
      if (nargs == 2) ok = frFromBE(b, p + <usize>(off + 32)) && ok;
      off += 32 * nargs;
      if (!ok) {
        memory.fill(out + o, 0xff, 32);
      } else {
        if (op == 1) frMul(a, a, b);
        else if (op == 2) frAdd(a, a, b);
        else if (op == 3) frSub(a, a, b);
        else frInv(a, a);
        frToBE(out + o, a);
      }
      o += 32;
    } else if (op == 5) {
      const n = <i32>load<u8>(p + <usize>off);
      off++;
      const ins = alloc32(n * FR_SIZE);
      let ok = true;
      for (let i = 0; i < n; i++) ok = frFromBE(ins + <usize>i * FS, p + <usize>(off + 32 * i)) && ok;
      off += 32 * n;
      if (!ok) {
        memory.fill(out + o, 0xff, 32);
      } else {
        const r = alloc32(FR_SIZE);
        poseidon(r, ins, n);
        frToBE(out + o, r);
      }
      o += 32;
    } else if (op == 6 || op == 7) {
      const x = alloc32(FR_SIZE);
      const y = alloc32(FR_SIZE);
      const ok = frFromBE(x, p + <usize>off) && frFromBE(y, p + <usize>(off + 32));
      off += 64;
      store<u8>(out + o, ok && (op == 6 ? onCurve(x, y) : inSubgroup(x, y)) ? 1 : 0);
      o += 1;
    } else if (op == 8) {
      const e = alloc32(5 * FR_SIZE);
      let ok = frFromBE(e, p + <usize>off);
      ok = frFromBE(e + FS, p + <usize>(off + 32)) && ok;
      ok = frFromBE(e + 2 * FS, p + <usize>(off + 64)) && ok;
      ok = frFromBE(e + 3 * FS, p + <usize>(off + 128)) && ok;
      ok = frFromBE(e + 4 * FS, p + <usize>(off + 160)) && ok;
      const s = p + <usize>(off + 96);
      off += 192;
      store<u8>(out + o, ok && verifyPoseidon(e, e + FS, e + 2 * FS, s, e + 3 * FS, e + 4 * FS) ? 1 : 0);
      o += 1;
    } else if (op == 9) {
      const x = alloc32(FR_SIZE);
      const y = alloc32(FR_SIZE);
      frFromBE(x, p + <usize>off);
      frFromBE(y, p + <usize>(off + 32));
      const pt = pointNew();
      pointFromAffine(pt, x, y);
      pointMul(pt, pt, p + <usize>(off + 64));
      off += 96;
      const zi = alloc32(FR_SIZE);
      frInv(zi, pt + 2 * FS);
      frMul(x, pt, zi);
      frMul(y, pt + FS, zi);
      frToBE(out + o, x);
      frToBE(out + o + 32, y);
      o += 64;
    } else if (op == 10 || op == 11) {
      // benchmark: n u8 × 1000 products (10) or sums (11) of 3 with itself; result 32 bytes
      const n = <i32>load<u8>(p + <usize>off) * 1000;
      off++;
      const a = alloc32(FR_SIZE);
      frFromBE(a, THREE);
      for (let i = 0; i < n; i++) {
        if (op == 10) frMul(a, a, a);
        else frAdd(a, a, a);
      }
      frToBE(out + o, a);
      o += 32;
    } else {
      break;
    }
    arenaRelease(mark);
  }
  const h = alloc32(32);
  keccak256(out, <i32>o, h);
  hint_preimage(out, <i32>o);
  set_global_bytes32(0, h);
}
