/**
 * Runs one inbox message of an app once, natively or in the step interpreter, over a preimage
 * reader the caller gives, and reports every preimage the run read from that reader (not the ones
 * it wrote itself through `hint_preimage`, which it reads back from its own overlay, nor the
 * precompile results of kind 2 whose key preimage the run hinted, computed from it). What a
 * sovereign full node records to build a block's witness, and what a light client re-executes a
 * witness with (docs/sovereign.md §4.2, §4.3).
 *
 * ```ts
 * const r = replayMessage(app, preState, message, (kind, h) => store.get(h, kind), 'native');
 * r.globalState; r.reads;   // [{ kind, hash, preimage }] in first-read order
 * ```
 */
import type { GlobalState } from '../../core/types.ts';
import { HostDataUnavailableError, Status } from '../../vm/wasm/machine.ts';
import { runNative } from '../../vm/wasm/native.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { PreimageStore, toHex } from './preimage-store.ts';
import type { App } from './run-app.ts';

export type ReplayEngine = 'native' | 'interp';

export interface PreimageRead {
  kind: number;
  hash: Uint8Array;
  preimage: Uint8Array;
}

export interface ReplayResult {
  status: 'finished' | 'errored';
  globalState: GlobalState;
  /** preimages read from the caller's reader, each once, in first-read order */
  reads: PreimageRead[];
}

/** A preimage the run needed and the reader did not have (the run cannot go on). */
export class PreimageUnavailableError extends HostDataUnavailableError {
  constructor(
    readonly kind: number,
    readonly hash: Uint8Array,
  ) {
    super(`preimage of kind ${kind} for hash 0x${toHex(hash)} is not available`);
  }
}

const copyGs = (g: GlobalState): GlobalState => ({
  bytes32: [g.bytes32[0].slice(), g.bytes32[1].slice()],
  u64: [g.u64[0], g.u64[1]],
});

/**
 * Runs `message` from `gs` (its inbox position is `gs.u64[0]`). Throws PreimageUnavailableError
 * when the run reads a hash that neither `read` nor the run's own hints have.
 */
export function replayMessage(
  app: Pick<App, 'bytes' | 'validated' | 'program'>,
  gs: GlobalState,
  message: Uint8Array,
  read: (kind: number, hash: Uint8Array) => Uint8Array | undefined,
  engine: ReplayEngine = 'native',
): ReplayResult {
  const own = new PreimageStore();
  const reads: PreimageRead[] = [];
  const seen = new Set<string>();
  const get = (kind: number, hash: Uint8Array): Uint8Array => {
    // kind 0 from the run's own hints; kind 2 (a precompile's result, docs/machine.md §6.3) computed
    // from the key preimage the run hinted before reading it (guest/sdk/precompile-oracle.ts does)
    const mine = kind === 0 || kind === 2 ? own.get(hash, kind) : undefined;
    if (mine) return mine;
    const p = read(kind, hash);
    if (!p) throw new PreimageUnavailableError(kind, hash.slice());
    const key = `${kind}:${toHex(hash)}`;
    if (!seen.has(key)) {
      seen.add(key);
      reads.push({ kind, hash: hash.slice(), preimage: p });
    }
    return p;
  };
  if (engine === 'native') {
    const r = runNative(
      { bytes: app.bytes, module: app.validated },
      { inbox: message, preimages: get, globalState: copyGs(gs), onPreimageHint: own.hint },
      { interpreterFallback: true },
    );
    return { status: r.status, globalState: r.globalState, reads };
  }
  const m = newMachine(app.program, copyGs(gs), {
    inboxMessage: (p) => (p === gs.u64[0] ? message : undefined),
    preimage: get,
    onPreimageHint: own.hint,
  });
  m.run();
  if (m.status !== Status.Finished && m.status !== Status.Errored)
    throw new RangeError(`interpreter stopped with status ${m.status}`);
  return {
    status: m.status === Status.Finished ? 'finished' : 'errored',
    globalState: m.globalState,
    reads,
  };
}
