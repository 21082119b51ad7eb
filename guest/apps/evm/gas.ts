// Gas constants and the per-opcode table (Cancun; Yellow Paper appendix G and the EIPs named).

export const G_WARM: u64 = 100; // EIP-2929 warm storage read / warm account access
export const G_COLD_ACCOUNT: u64 = 2600; // EIP-2929
export const G_COLD_SLOAD: u64 = 2100; // EIP-2929
export const G_SSTORE_SET: u64 = 20000;
export const G_SSTORE_RESET: u64 = 2900; // 5000 - COLD_SLOAD (EIP-2929)
export const R_SSTORE_CLEARS: i64 = 4800; // EIP-3529
export const G_CALL_STIPEND: u64 = 2300;
export const G_CALL_VALUE: u64 = 9000;
export const G_NEW_ACCOUNT: u64 = 25000;
export const G_SELFDESTRUCT: u64 = 5000;
export const G_CREATE: u64 = 32000;
export const G_CODE_DEPOSIT: u64 = 200;
export const G_INITCODE_WORD: u64 = 2; // EIP-3860
export const G_KECCAK_WORD: u64 = 6;
export const G_COPY_WORD: u64 = 3;
export const G_LOG: u64 = 375;
export const G_LOG_DATA: u64 = 8;
export const G_EXP_BYTE: u64 = 50;
export const G_TX: u64 = 21000;
export const G_TX_CREATE: u64 = 32000;
export const G_TX_DATA_ZERO: u64 = 4;
export const G_TX_DATA_NONZERO: u64 = 16; // EIP-2028
export const G_ACCESS_ADDRESS: u64 = 2400; // EIP-2930
export const G_ACCESS_SLOT: u64 = 1900; // EIP-2930
export const G_BLOB: u64 = 131072; // EIP-4844 gas per blob

export const MAX_CODE_SIZE: i32 = 24576; // EIP-170
export const MAX_INITCODE_SIZE: i32 = 49152; // EIP-3860
export const MAX_DEPTH: i32 = 1024;
export const STACK_LIMIT: i32 = 1024;

// the opcode table: static gas u16 ‖ stack items needed u8 ‖ items pushed u8, per opcode;
// needed = 0xff marks an undefined opcode (an exceptional halt)
export const OPS: usize = memory.data(256 * 4, 8);
let tablesReady = false;

function op(code: i32, gas: u32, needed: u32, pushed: u32): void {
  const p = OPS + (<usize>code << 2);
  store<u16>(p, <u16>gas);
  store<u8>(p, <u8>needed, 2);
  store<u8>(p, <u8>pushed, 3);
}

/** Fills the opcode table (once per run). */
export function initOps(): void {
  if (tablesReady) return;
  tablesReady = true;
  for (let i = 0; i < 256; i++) op(i, 0, 0xff, 0);
  op(0x00, 0, 0, 0);
  op(0x01, 3, 2, 1);
  op(0x02, 5, 2, 1);
  op(0x03, 3, 2, 1);
  for (let i = 0x04; i <= 0x07; i++) op(i, 5, 2, 1);
  op(0x08, 8, 3, 1);
  op(0x09, 8, 3, 1);
  op(0x0a, 10, 2, 1);
  op(0x0b, 5, 2, 1);
  for (let i = 0x10; i <= 0x14; i++) op(i, 3, 2, 1);
  op(0x15, 3, 1, 1);
  for (let i = 0x16; i <= 0x18; i++) op(i, 3, 2, 1);
  op(0x19, 3, 1, 1);
  for (let i = 0x1a; i <= 0x1d; i++) op(i, 3, 2, 1);
  op(0x20, 30, 2, 1);
  op(0x30, 2, 0, 1);
  op(0x31, 0, 1, 1);
  op(0x32, 2, 0, 1);
  op(0x33, 2, 0, 1);
  op(0x34, 2, 0, 1);
  op(0x35, 3, 1, 1);
  op(0x36, 2, 0, 1);
  op(0x37, 3, 3, 0);
  op(0x38, 2, 0, 1);
  op(0x39, 3, 3, 0);
  op(0x3a, 2, 0, 1);
  op(0x3b, 0, 1, 1);
  op(0x3c, 0, 4, 0);
  op(0x3d, 2, 0, 1);
  op(0x3e, 3, 3, 0);
  op(0x3f, 0, 1, 1);
  op(0x40, 20, 1, 1);
  for (let i = 0x41; i <= 0x46; i++) op(i, 2, 0, 1);
  op(0x47, 5, 0, 1);
  op(0x48, 2, 0, 1);
  op(0x49, 3, 1, 1);
  op(0x4a, 2, 0, 1);
  op(0x50, 2, 1, 0);
  op(0x51, 3, 1, 1);
  op(0x52, 3, 2, 0);
  op(0x53, 3, 2, 0);
  op(0x54, 0, 1, 1);
  op(0x55, 0, 2, 0);
  op(0x56, 8, 1, 0);
  op(0x57, 10, 2, 0);
  op(0x58, 2, 0, 1);
  op(0x59, 2, 0, 1);
  op(0x5a, 2, 0, 1);
  op(0x5b, 1, 0, 0);
  op(0x5c, 100, 1, 1);
  op(0x5d, 100, 2, 0);
  op(0x5e, 3, 3, 0);
  op(0x5f, 2, 0, 1);
  for (let i = 0x60; i <= 0x7f; i++) op(i, 3, 0, 1);
  for (let n = 1; n <= 16; n++) op(0x7f + n, 3, n, n + 1);
  for (let n = 1; n <= 16; n++) op(0x8f + n, 3, n + 1, n + 1);
  for (let n = 0; n <= 4; n++) op(0xa0 + n, <u32>(375 * (n + 1)), n + 2, 0);
  op(0xf0, 32000, 3, 1);
  op(0xf1, 0, 7, 1);
  op(0xf2, 0, 7, 1);
  op(0xf3, 0, 2, 0);
  op(0xf4, 0, 6, 1);
  op(0xf5, 32000, 4, 1);
  op(0xfa, 0, 6, 1);
  op(0xfd, 0, 2, 0);
  op(0xff, 5000, 1, 0);
}

/** memory gas of `words` 32-byte words: 3·w + w²/512 */
@inline export function memGas(words: u64): u64 {
  return G_COPY_WORD * words + ((words * words) >> 9);
}
