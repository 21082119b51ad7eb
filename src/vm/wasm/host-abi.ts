/**
 * The STF ABI: the only imports a modex STF module may have (docs/machine.md, section "Host interface").
 * All come from the module named `modex`. Every host op touches at most four 32-byte memory leaves
 * (ops 0-6: at most 32 bytes, two leaves; `keccak256_pair` and `ecrecover`, added in machine v1.1:
 * 32-byte aligned pointers, three or four leaves), which keeps its one-step proof small.
 */
import { recoverPublicKey } from '../../crypto/ecrecover.ts';
import { keccak256Into } from '../../crypto/keccak.ts';
import { type FuncType, ValType } from './module.ts';

export const HOST_MODULE = 'modex';

const { I32, I64 } = ValType;

/** Host function names, their machine-level ids (the immediate of the HOST instruction) and signatures. */
export const HOST_FUNCS = {
  /** (offset, ptr) -> n: copy up to 32 bytes of the current inbox message from `offset` to `ptr`; n bytes copied (0 at end) */
  inbox_read: { id: 0, type: { params: [I32, I32], results: [I32] } },
  /** (kind, hashPtr, offset, ptr) -> n: copy up to 32 bytes of the preimage of the 32-byte hash at `hashPtr` (32-byte aligned) from `offset` to `ptr` */
  preimage_read: { id: 1, type: { params: [I32, I32, I32, I32], results: [I32] } },
  /** (index, ptr): write 32-byte global-state field `index` (0 = state root, 1 = send root) to `ptr` */
  get_global_bytes32: { id: 2, type: { params: [I32, I32], results: [] } },
  /** (index, ptr): set 32-byte global-state field `index` from the 32 bytes at `ptr` */
  set_global_bytes32: { id: 3, type: { params: [I32, I32], results: [] } },
  /** (index) -> value: u64 global-state field `index` (0 = inbox position, 1 = position in message) */
  get_global_u64: { id: 4, type: { params: [I32], results: [I64] } },
  /** (index, value): set u64 global-state field `index` */
  set_global_u64: { id: 5, type: { params: [I32, I64], results: [] } },
  /** (): stop the machine: status becomes Finished */
  halt: { id: 6, type: { params: [], results: [] } },
  /** (inPtr, outPtr): the 32 bytes at `outPtr` = keccak256 of the 64 bytes at `inPtr` (both 32-byte aligned); v1.1 */
  keccak256_pair: { id: 7, type: { params: [I32, I32], results: [] } },
  /**
   * (hashPtr, sigPtr, v, outPtr) -> ok: the EVM precompile 0x01 over hash = 32 bytes at `hashPtr`,
   * r ‖ s = 64 bytes at `sigPtr`, v (27 or 28); writes the 32-byte result word (address
   * right-aligned; zeros on failure) to `outPtr` and returns 1, or 0 on failure. Pointers 32-byte aligned; v1.1
   */
  ecrecover: { id: 8, type: { params: [I32, I32, I32, I32], results: [I32] } },
  /** (ptr, len): no effect on the machine; the host may record the bytes as a keccak preimage; v1.1 */
  hint_preimage: { id: 9, type: { params: [I32, I32], results: [] } },
  /**
   * (tableIndex, arg, budget) -> r: calls the `(i32) -> i32` function in table slot `tableIndex` with
   * `arg` under a budget of `budget` (u64) steps. r is its result on a normal return; -1 if it (or
   * anything it calls) trapped, -2 if the budget ran out: the value stack and frames are then as
   * they were at the call (memory and globals are not rolled back). Lowered to the machine op
   * `metered_call`, not `host` (docs/machine.md §3.7); v1.2
   */
  metered_call: { id: 10, type: { params: [I32, I32, I64], results: [I32] } },
} as const satisfies Record<string, { id: number; type: FuncType }>;

export type HostFuncName = keyof typeof HOST_FUNCS;

export function hostFunc(name: string): { id: number; type: FuncType } | undefined {
  return Object.hasOwn(HOST_FUNCS, name) ? HOST_FUNCS[name as HostFuncName] : undefined;
}

/** keccak256 of 64 bytes, the result of `keccak256_pair` (docs/machine.md §6). */
export function keccak256Of64(input: Uint8Array): Uint8Array {
  return keccak256Into(input, new Uint8Array(32), 0, 64);
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The EVM ecrecover precompile (0x01), the semantics of `ecrecover` (docs/machine.md §6): `hash`
 * 32 bytes, `sig` = r ‖ s (64 bytes, big-endian), v must be 27 or 28, r and s in [1, n-1] (a high
 * s is accepted). Returns the 32-byte word 12 zero bytes ‖ address, or undefined when recovery fails.
 */
export function ecrecoverWord(hash: Uint8Array, sig: Uint8Array, v: number): Uint8Array | undefined {
  if (v !== 27 && v !== 28) return undefined;
  const r = bytesToBig(sig.subarray(0, 32));
  const s = bytesToBig(sig.subarray(32, 64));
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) return undefined;
  const pub = recoverPublicKey(hash, sig, v - 27);
  if (!pub) return undefined;
  const h = keccak256Into(pub.subarray(1, 65), new Uint8Array(32), 0, 64);
  const out = new Uint8Array(32);
  out.set(h.subarray(12), 12);
  return out;
}

function bytesToBig(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}
