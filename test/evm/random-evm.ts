/**
 * Random EVM programs and pre-states for the differential fuzzer (src/apps/evm/differential.fuzz.test.ts):
 * bytecode biased towards what runs (pushes before the ops that pop, memory and storage at small
 * offsets, calls to the case's other contracts and to precompiles, CREATE/CREATE2 of small init
 * code, logs, jumps to real JUMPDESTs), then an end (STOP, RETURN, REVERT, SELFDESTRUCT, INVALID).
 * BLOCKHASH is left out: a state test's block hashes are a convention the reference does not share.
 */
import type { Rng } from '../wasm/random-module.ts';

/** Cancun's opcodes without BLOCKHASH (0x40), the pushes, jumps and ends, which are placed on purpose */
const PLAIN_OPS: number[] = [
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
  0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
  0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x50, 0x51,
  0x52, 0x53, 0x54, 0x55, 0x58, 0x59, 0x5a, 0x5c, 0x5d, 0x5e, 0x5f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
  0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
  0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4,
];

export interface ProgramContext {
  /** addresses (hex, no 0x) that calls may target: the case's contracts */
  contracts: string[];
}

function push(out: number[], bytes: Uint8Array): void {
  let n = bytes.length;
  let i = 0;
  while (n > 1 && bytes[i] === 0) {
    i++;
    n--;
  }
  if (n === 1 && bytes[i] === 0 && out.length % 3 === 0) {
    out.push(0x5f); // PUSH0, sometimes
    return;
  }
  out.push(0x5f + n, ...bytes.subarray(i));
}

const small = (rng: Rng, max: number): Uint8Array => Uint8Array.of(rng.int(max));
const word = (v: bigint): Uint8Array => {
  const b = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  return b;
};

function value(rng: Rng, ctx: ProgramContext): Uint8Array {
  switch (rng.int(6)) {
    case 0:
      return small(rng, 4);
    case 1:
      return small(rng, 256);
    case 2:
      return word(
        rng.pick([2n ** 255n, 2n ** 256n - 1n, 2n ** 255n - 1n, 2n ** 64n, 2n ** 128n + 7n, 31n, 32n, 255n]),
      );
    case 3:
      return Uint8Array.from(Buffer.from(rng.pick(ctx.contracts), 'hex'));
    case 4:
      return rng.chance(0.3) ? rng.bytes(1 + rng.int(32)) : small(rng, 128);
    default:
      return Uint8Array.of(rng.int(64), rng.int(256));
  }
}

/** A random program of about `items` pieces. */
export function randomProgram(rng: Rng, ctx: ProgramContext, items: number): Uint8Array {
  const out: number[] = [];
  const jumpdests: number[] = [];
  const jumps: { at: number; after: number }[] = [];
  // a floor of 17 values, so that DUP16 and SWAP16 have operands
  for (let k = 0; k < 17; k++) push(out, value(rng, ctx));
  for (let k = 0; k < items; k++) {
    const r = rng.int(100);
    if (r < 30) push(out, value(rng, ctx));
    else if (r < 38) {
      // memory at small offsets
      push(out, value(rng, ctx));
      push(out, small(rng, 96));
      out.push(rng.pick([0x52, 0x53, 0x52]));
    } else if (r < 46) {
      // storage: (transient) store then maybe load
      push(out, value(rng, ctx));
      push(out, small(rng, 4));
      out.push(rng.pick([0x55, 0x5d]));
      if (rng.chance(0.5)) {
        push(out, small(rng, 4));
        out.push(rng.pick([0x54, 0x5c]));
      }
    } else if (r < 52) {
      // a call: retLen retOff argsLen argsOff [value] addr gas
      const op = rng.pick([0xf1, 0xf2, 0xf4, 0xfa]);
      push(out, small(rng, 64));
      push(out, small(rng, 64));
      push(out, small(rng, 96));
      push(out, small(rng, 64));
      if (op === 0xf1 || op === 0xf2) push(out, small(rng, 3));
      if (rng.chance(0.25)) push(out, Uint8Array.of(1 + rng.int(9)));
      else push(out, Uint8Array.from(Buffer.from(rng.pick(ctx.contracts), 'hex')));
      if (rng.chance(0.5)) out.push(0x5a);
      else push(out, Uint8Array.of(rng.int(256), rng.int(256)));
      out.push(op);
    } else if (r < 55) {
      // CREATE/CREATE2 of init code `PUSH1 v PUSH1 0 MSTORE8 PUSH1 n PUSH1 0 RETURN` (or reverting)
      const init = rng.chance(0.8)
        ? [0x60, rng.pick([0x00, 0xef, 0x5b]), 0x60, 0x00, 0x53, 0x60, rng.int(3), 0x60, 0x00, 0xf3]
        : [0x60, 0x00, 0x60, 0x00, 0xfd];
      const initWord = new Uint8Array(32);
      initWord.set(init, 32 - init.length);
      push(out, initWord);
      push(out, Uint8Array.of(0));
      out.push(0x52);
      if (rng.chance(0.5)) {
        push(out, small(rng, 4)); // salt
        push(out, Uint8Array.of(init.length));
        push(out, Uint8Array.of(32 - init.length));
        push(out, small(rng, 2));
        out.push(0xf5);
      } else {
        push(out, Uint8Array.of(init.length));
        push(out, Uint8Array.of(32 - init.length));
        push(out, small(rng, 2));
        out.push(0xf0);
      }
    } else if (r < 59) {
      const topics = rng.int(5);
      for (let t = 0; t < topics; t++) push(out, value(rng, ctx));
      push(out, small(rng, 64));
      push(out, small(rng, 64));
      out.push(0xa0 + topics);
    } else if (r < 63) {
      jumpdests.push(out.length);
      out.push(0x5b);
    } else if (r < 66) {
      // a jump, its target patched at the end: mostly a later JUMPDEST (loops run out of gas)
      if (rng.chance(0.5)) {
        push(out, small(rng, 2));
        jumps.push({ at: out.length + 1, after: out.length });
        out.push(0x61, 0, 0, 0x57);
      } else {
        jumps.push({ at: out.length + 1, after: out.length });
        out.push(0x61, 0, 0, 0x56);
      }
    } else {
      const pops = 2 + rng.int(2);
      for (let p = 0; p < pops; p++) push(out, value(rng, ctx));
      out.push(rng.pick(PLAIN_OPS));
    }
  }
  switch (rng.int(8)) {
    case 0:
    case 5:
      out.push(0x00);
      break;
    case 1:
    case 2:
      push(out, small(rng, 64));
      push(out, small(rng, 64));
      out.push(rng.chance(0.7) ? 0xf3 : 0xfd);
      break;
    case 3:
      push(out, Uint8Array.from(Buffer.from(rng.pick(ctx.contracts), 'hex')));
      out.push(0xff);
      break;
    case 4:
      if (rng.chance(0.3)) out.push(0xfe);
      break;
    default:
      break;
  }
  for (const j of jumps) {
    const later = jumpdests.filter((d) => d > j.after);
    const target =
      later.length > 0 && rng.chance(0.85)
        ? rng.pick(later)
        : jumpdests.length > 0 && rng.chance(0.9)
          ? rng.pick(jumpdests)
          : rng.int(out.length + 1);
    out[j.at] = target >> 8;
    out[j.at + 1] = target & 0xff;
  }
  return Uint8Array.from(out);
}
