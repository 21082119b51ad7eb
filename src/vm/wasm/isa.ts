/**
 * The machine's instruction set (docs/machine.md §3 "Instruction set").
 *
 * Wasm is lowered into flat code of these instructions: structured control flow becomes jumps,
 * calls carry their target's entry pc, bulk-memory ops become calls to internal loops. Each
 * instruction is an opcode (u16) and one 64-bit immediate; its code leaf is the 32-byte word
 * `op << 64 | imm` (big-endian, §4.3).
 */

const NAMES = [
  // control (§3.1)
  'unreachable',
  'nop',
  'jump',
  'jump_if',
  'jump_if_zero',
  'br_table',
  'call',
  'call_indirect',
  'return',
  'halt',
  'host',
  // stack, locals, globals (§3.2)
  'drop',
  'drop_under',
  'select',
  'local.get',
  'local.set',
  'local.tee',
  'global.get',
  'global.set',
  'i32.const',
  'i64.const',
  // memory (§3.3)
  'i32.load',
  'i64.load',
  'i32.load8_s',
  'i32.load8_u',
  'i32.load16_s',
  'i32.load16_u',
  'i64.load8_s',
  'i64.load8_u',
  'i64.load16_s',
  'i64.load16_u',
  'i64.load32_s',
  'i64.load32_u',
  'i32.store',
  'i64.store',
  'i32.store8',
  'i32.store16',
  'i64.store8',
  'i64.store16',
  'i64.store32',
  'memory.size',
  'memory.grow',
  'data.load8',
  // i32 numeric (§3.4)
  'i32.eqz',
  'i32.eq',
  'i32.ne',
  'i32.lt_s',
  'i32.lt_u',
  'i32.gt_s',
  'i32.gt_u',
  'i32.le_s',
  'i32.le_u',
  'i32.ge_s',
  'i32.ge_u',
  'i32.clz',
  'i32.ctz',
  'i32.popcnt',
  'i32.add',
  'i32.sub',
  'i32.mul',
  'i32.div_s',
  'i32.div_u',
  'i32.rem_s',
  'i32.rem_u',
  'i32.and',
  'i32.or',
  'i32.xor',
  'i32.shl',
  'i32.shr_s',
  'i32.shr_u',
  'i32.rotl',
  'i32.rotr',
  // i64 numeric
  'i64.eqz',
  'i64.eq',
  'i64.ne',
  'i64.lt_s',
  'i64.lt_u',
  'i64.gt_s',
  'i64.gt_u',
  'i64.le_s',
  'i64.le_u',
  'i64.ge_s',
  'i64.ge_u',
  'i64.clz',
  'i64.ctz',
  'i64.popcnt',
  'i64.add',
  'i64.sub',
  'i64.mul',
  'i64.div_s',
  'i64.div_u',
  'i64.rem_s',
  'i64.rem_u',
  'i64.and',
  'i64.or',
  'i64.xor',
  'i64.shl',
  'i64.shr_s',
  'i64.shr_u',
  'i64.rotl',
  'i64.rotr',
  // conversions
  'i32.wrap_i64',
  'i64.extend_i32_s',
  'i64.extend_i32_u',
  'i32.extend8_s',
  'i32.extend16_s',
  'i64.extend8_s',
  'i64.extend16_s',
  'i64.extend32_s',
  // metering (§3.7, machine v1.2)
  'metered_call',
] as const;

export type MOpName = (typeof NAMES)[number];

/** Machine opcode numbers, by name. */
export const M = Object.fromEntries(NAMES.map((n, i) => [n, i])) as { readonly [K in MOpName]: number };

export const MOP_COUNT = NAMES.length;

export function mopName(op: number): string {
  return NAMES[op] ?? `op${op}`;
}

/**
 * Wasm opcodes whose machine instruction is a plain 1:1 translation with no immediate
 * (numeric ops, conversions, drop, select). Maps wasm opcode -> machine opcode.
 */
export const SIMPLE_WASM_TO_MACHINE: ReadonlyMap<number, number> = (() => {
  const m = new Map<number, number>();
  m.set(0x1a, M.drop);
  m.set(0x1b, M.select);
  m.set(0x1c, M.select);
  m.set(0x3f, M['memory.size']);
  m.set(0x40, M['memory.grow']);
  // i32.eqz .. i32.ge_u (0x45..0x4f), i64.eqz .. i64.ge_u (0x50..0x5a)
  for (let i = 0; i <= 10; i++) m.set(0x45 + i, M['i32.eqz'] + i);
  for (let i = 0; i <= 10; i++) m.set(0x50 + i, M['i64.eqz'] + i);
  // i32.clz .. i32.rotr (0x67..0x78), i64.clz .. i64.rotr (0x79..0x8a)
  for (let i = 0; i <= 17; i++) m.set(0x67 + i, M['i32.clz'] + i);
  for (let i = 0; i <= 17; i++) m.set(0x79 + i, M['i64.clz'] + i);
  m.set(0xa7, M['i32.wrap_i64']);
  m.set(0xac, M['i64.extend_i32_s']);
  m.set(0xad, M['i64.extend_i32_u']);
  for (let i = 0; i <= 4; i++) m.set(0xc0 + i, M['i32.extend8_s'] + i);
  return m;
})();

/** Wasm load/store opcodes -> machine opcode (immediate: the static offset). */
export const MEMORY_WASM_TO_MACHINE: ReadonlyMap<number, number> = new Map([
  [0x28, M['i32.load']],
  [0x29, M['i64.load']],
  [0x2c, M['i32.load8_s']],
  [0x2d, M['i32.load8_u']],
  [0x2e, M['i32.load16_s']],
  [0x2f, M['i32.load16_u']],
  [0x30, M['i64.load8_s']],
  [0x31, M['i64.load8_u']],
  [0x32, M['i64.load16_s']],
  [0x33, M['i64.load16_u']],
  [0x34, M['i64.load32_s']],
  [0x35, M['i64.load32_u']],
  [0x36, M['i32.store']],
  [0x37, M['i64.store']],
  [0x3a, M['i32.store8']],
  [0x3b, M['i32.store16']],
  [0x3c, M['i64.store8']],
  [0x3d, M['i64.store16']],
  [0x3e, M['i64.store32']],
]);

/** Access width in bytes of each machine load/store, and for loads whether they sign-extend / are i64. */
export function memAccess(
  op: number,
): { width: number; store: boolean; signed: boolean; i64: boolean } | undefined {
  switch (op) {
    case M['i32.load']:
      return { width: 4, store: false, signed: false, i64: false };
    case M['i64.load']:
      return { width: 8, store: false, signed: false, i64: true };
    case M['i32.load8_s']:
      return { width: 1, store: false, signed: true, i64: false };
    case M['i32.load8_u']:
      return { width: 1, store: false, signed: false, i64: false };
    case M['i32.load16_s']:
      return { width: 2, store: false, signed: true, i64: false };
    case M['i32.load16_u']:
      return { width: 2, store: false, signed: false, i64: false };
    case M['i64.load8_s']:
      return { width: 1, store: false, signed: true, i64: true };
    case M['i64.load8_u']:
      return { width: 1, store: false, signed: false, i64: true };
    case M['i64.load16_s']:
      return { width: 2, store: false, signed: true, i64: true };
    case M['i64.load16_u']:
      return { width: 2, store: false, signed: false, i64: true };
    case M['i64.load32_s']:
      return { width: 4, store: false, signed: true, i64: true };
    case M['i64.load32_u']:
      return { width: 4, store: false, signed: false, i64: true };
    case M['i32.store']:
      return { width: 4, store: true, signed: false, i64: false };
    case M['i64.store']:
      return { width: 8, store: true, signed: false, i64: true };
    case M['i32.store8']:
      return { width: 1, store: true, signed: false, i64: false };
    case M['i32.store16']:
      return { width: 2, store: true, signed: false, i64: false };
    case M['i64.store8']:
      return { width: 1, store: true, signed: false, i64: true };
    case M['i64.store16']:
      return { width: 2, store: true, signed: false, i64: true };
    case M['i64.store32']:
      return { width: 4, store: true, signed: false, i64: true };
    default:
      return undefined;
  }
}

/** Packs a `call` immediate: entry pc (bits 0..31), local count (32..47), max operand height (48..63). */
export function packCall(entryPc: number, numLocals: number, maxHeight: number): bigint {
  return BigInt(entryPc >>> 0) | (BigInt(numLocals & 0xffff) << 32n) | (BigInt(maxHeight & 0xffff) << 48n);
}
