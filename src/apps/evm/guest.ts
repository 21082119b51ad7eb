/**
 * The EVM guest as a library: one transaction through `evm_run_tx` (docs/evm.md §2) on a state root
 * in a preimage store, natively (one session, restored per run) or in the step interpreter. Used by
 * the bench (`modex bench evm`) and the differential fuzzer; the state-test runner drives the same
 * entry point.
 */
import { lower, type Program } from '../../vm/wasm/lower.ts';
import { type GlobalState, Status } from '../../vm/wasm/machine.ts';
import type { ValidatedModule } from '../../vm/wasm/module.ts';
import { createNativeSession, type NativeSession, validateStf } from '../../vm/wasm/native.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import type { PreimageStore } from '../sdk/preimage-store.ts';
import { ENV_BYTES } from './env.ts';
import { type EthLog, logsHash, stateRoot } from './mpt.ts';
import { EvmGuestError, evmGuestBytes, parseResultRecord, refusalName } from './runner.ts';
import { readWorld } from './world.ts';

export type TxOutcome =
  | { applied: false; refusal: string; steps: number }
  | {
      applied: true;
      /** the modex state root after the transaction */
      root: Uint8Array;
      success: boolean;
      gasUsed: bigint;
      logs: EthLog[];
      steps: number;
    };

export class EvmGuest {
  private readonly input: { bytes: Uint8Array; module: ValidatedModule };
  private session?: NativeSession;
  private program?: Program;

  constructor(wasm: Uint8Array = evmGuestBytes()) {
    this.input = { bytes: wasm, module: validateStf(wasm) };
  }

  /**
   * Runs `env ‖ raw` (`env`: the 185-byte env of docs/evm.md §2) on `root`. A trap is an
   * EvmGuestError: the guest must never trap on a transaction.
   */
  runTx(
    store: PreimageStore,
    root: Uint8Array,
    env: Uint8Array,
    raw: Uint8Array,
    engine: 'native' | 'interp' = 'native',
  ): TxOutcome {
    if (env.length !== ENV_BYTES) throw new RangeError(`env: ${env.length} bytes, not ${ENV_BYTES}`);
    const message = new Uint8Array(ENV_BYTES + raw.length);
    message.set(env, 0);
    message.set(raw, ENV_BYTES);
    const gs0: GlobalState = { bytes32: [root.slice(), new Uint8Array(32)], u64: [0n, 0n] };
    let gs: GlobalState;
    let steps: number;
    if (engine === 'native') {
      this.session ??= createNativeSession(this.input);
      const r = this.session.run('evm_run_tx', {
        inbox: message,
        preimages: (k, h) => store.get(h, k),
        preimageStore: store,
        globalState: gs0,
      });
      if (r.status !== 'finished')
        throw new EvmGuestError(`the EVM guest trapped: ${r.error?.message ?? r.status}`);
      gs = r.globalState;
      steps = Number(r.steps);
    } else {
      this.program ??= lower(this.input.module, { entry: 'evm_run_tx' });
      const m = newMachine(this.program, gs0, {
        inboxMessage: (p) => (p === 0n ? message : undefined),
        preimage: (k, h) => store.get(h, k),
        onPreimageHint: store.hint,
      });
      m.run();
      if (m.status !== Status.Finished)
        throw new EvmGuestError(`the EVM guest ended with status ${m.status} in the interpreter`);
      gs = m.globalState;
      steps = Number(m.steps);
    }
    if (gs.u64[1] !== 0n) return { applied: false, refusal: refusalName(gs.u64[1]), steps };
    const rec = store.get(gs.bytes32[1]);
    if (!rec) throw new EvmGuestError('the EVM guest did not hint its result record');
    const r = parseResultRecord(rec);
    return {
      applied: true,
      root: gs.bytes32[0],
      success: r.success,
      gasUsed: r.gasUsed,
      logs: r.logs,
      steps,
    };
  }
}

/** Ethereum's state root (MPT) of the modex state at `root` (docs/evm.md §1 layout). */
export const ethStateRoot = (store: PreimageStore, root: Uint8Array): Uint8Array =>
  stateRoot(readWorld(store, root));
export { logsHash };
