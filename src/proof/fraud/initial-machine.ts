/**
 * The machine a block starts from, and the state a skipped message leaves (docs/dispute.md §3, §5):
 * what the challenge manager derives from the module fields alone, without running anything.
 */
import { type ModuleCommitment, memoryDepth } from '../../vm/wasm/commit.ts';
import {
  ceilLog2,
  hashWords,
  type Word,
  word,
  wordToBigInt,
  ZERO_HASHES,
  ZERO_WORD,
} from '../../vm/wasm/hash.ts';
import type { GlobalState } from '../../vm/wasm/machine.ts';

/** The 5 module-root words (docs/machine.md §4.3), or the commitment that holds them. */
export type ModuleFields = Word[] | ModuleCommitment;

const field = (sizes: bigint, shift: bigint) => Number((sizes >> shift) & 0xffffffffn);

/**
 * §5: initialMachine(S) = H(word(initialPages ≪ 64) ‖ 0 ‖ 0 ‖ Z[depth(numGlobals)] ‖ Z[memDepth] ‖
 * moduleRoot ‖ S): status Running, pc 0, empty stack and frames, zero globals and memory, 0 steps.
 * `gsHash` is stateHash of the block's start global state.
 */
export function initialMachineHash(module: ModuleFields, gsHash: Word): Word {
  const fields = Array.isArray(module) ? module : module.fields;
  if (fields.length !== 5) throw new RangeError(`a module root has 5 fields, got ${fields.length}`);
  // sizes = codeLen≪224 | tableLen≪192 | dataLen≪160 | numGlobals≪128 | initialPages≪96 | maxPages≪64 | …
  const sizes = wordToBigInt(fields[3]);
  const numGlobals = field(sizes, 128n);
  const initialPages = field(sizes, 96n);
  const maxPages = field(sizes, 64n);
  return hashWords([
    word(BigInt(initialPages) << 64n),
    ZERO_WORD,
    ZERO_WORD,
    ZERO_HASHES[ceilLog2(numGlobals)],
    ZERO_HASHES[memoryDepth(maxPages)],
    hashWords(fields),
    gsHash,
  ]);
}

/** §3 skip(S): the message at S.inboxPosition is skipped; the roots are unchanged. */
export function skipState(gs: GlobalState): GlobalState {
  return { bytes32: [gs.bytes32[0].slice(), gs.bytes32[1].slice()], u64: [gs.u64[0] + 1n, 0n] };
}

/** A deep copy (the machine writes into the global state it is given). */
export function cloneGlobalState(gs: GlobalState): GlobalState {
  return { bytes32: [gs.bytes32[0].slice(), gs.bytes32[1].slice()], u64: [gs.u64[0], gs.u64[1]] };
}
