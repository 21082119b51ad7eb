/**
 * The STF ABI: the only imports a modex STF module may have (docs/machine.md, section "Host interface").
 * All come from the module named `modex`. Every host op touches at most 32 bytes of guest memory
 * (so at most two 32-byte memory leaves), which keeps its one-step proof small.
 */
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
} as const satisfies Record<string, { id: number; type: FuncType }>;

export type HostFuncName = keyof typeof HOST_FUNCS;

export function hostFunc(name: string): { id: number; type: FuncType } | undefined {
  return Object.hasOwn(HOST_FUNCS, name) ? HOST_FUNCS[name as HostFuncName] : undefined;
}
