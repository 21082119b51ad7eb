/**
 * The EVM guest as a library: one transaction through `evm_run_tx` (docs/evm.md §2) on a state root
 * in a preimage store, natively (one session, restored per run) or in the step interpreter. Used by
 * the bench (`modex bench evm`) and the differential fuzzer; the state-test runner drives the same
 * entry point.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModexError } from '../../core/errors.ts';
import { PACKAGE_ROOT } from '../../util/package-root.ts';
import { lower, type Program } from '../../vm/wasm/lower.ts';
import { type GlobalState, Status } from '../../vm/wasm/machine.ts';
import type { ValidatedModule } from '../../vm/wasm/module.ts';
import { createNativeSession, type NativeSession, validateStf } from '../../vm/wasm/native.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { builtinAppBytes, builtinAppPath } from '../sdk/builtin-apps.ts';
import type { PreimageStore } from '../sdk/preimage-store.ts';
import { compileApp } from '../sdk/run-app.ts';
import { runTxMessage } from './env.ts';
import { type EthLog, logsHash, stateRoot } from './mpt.ts';
import { readWorld } from './world.ts';

/** The EVM guest's wasm could not be found or built. */
export class EvmGuestError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVM_GUEST_UNAVAILABLE', message, options);
  }
}

/** receipt names of the refusal codes (docs/evm.md §3) */
export const REFUSAL_NAMES: Record<number, string> = {
  16: 'tx_type_not_supported',
  17: 'bad_signature',
  18: 'wrong_chain_id',
  19: 'nonce_too_low',
  20: 'nonce_too_high',
  21: 'nonce_max',
  22: 'intrinsic_gas_too_low',
  23: 'gas_limit_above_block',
  24: 'insufficient_funds',
  25: 'fee_cap_below_base_fee',
  26: 'tip_above_fee_cap',
  27: 'initcode_too_large',
  28: 'sender_not_eoa',
  29: 'blob_tx_invalid',
  30: 'malformed_tx',
  31: 'gas_overflow',
};
export const refusalName = (code: bigint | number): string => REFUSAL_NAMES[Number(code)] ?? `code ${code}`;

/** The guest trapped or did not finish a transaction (it must answer every one, docs/evm.md §2). */
export class EvmGuestTrapError extends ModexError {
  constructor(message: string) {
    super('EVM_GUEST_TRAPPED', message);
  }
}

/** The result record of an applied transaction (docs/evm.md §2). */
export interface ResultRecord {
  success: boolean;
  gasUsed: bigint;
  logs: EthLog[];
}

/**
 * The logs of a record from byte `at` to its end: `logCount u32 ‖ logs` (docs/evm.md §2; the chain's
 * per-transaction records of §4 end the same way). Throws, naming `what`, on any other shape.
 */
export function parseRecordLogs(rec: Uint8Array, at: number, what: string): EthLog[] {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const need = (q: number, n: number) => {
    if (q + n > rec.length) throw new EvmGuestError(`${what}: truncated at byte ${q} (${rec.length} bytes)`);
  };
  need(at, 4);
  const logs: EthLog[] = [];
  const count = dv.getUint32(at);
  let q = at + 4;
  for (let i = 0; i < count; i++) {
    need(q, 21);
    const address = rec.slice(q, q + 20);
    const nt = rec[q + 20];
    q += 21;
    need(q, 32 * nt + 4);
    const topics = Array.from({ length: nt }, (_, j) => rec.slice(q + 32 * j, q + 32 * j + 32));
    q += 32 * nt;
    const len = dv.getUint32(q);
    q += 4;
    need(q, len);
    logs.push({ address, topics, data: rec.slice(q, q + len) });
    q += len;
  }
  if (q !== rec.length) throw new EvmGuestError(`${what}: ${rec.length - q} bytes after the last log`);
  return logs;
}

/** Parses a result record; throws on a record that does not have the §2 shape. */
export function parseResultRecord(rec: Uint8Array): ResultRecord {
  if (rec.length < 13) throw new EvmGuestError(`result record: truncated at byte 0 (${rec.length} bytes)`);
  if (rec[0] > 1) throw new EvmGuestError(`result record: status ${rec[0]} (0 or 1)`);
  const logs = parseRecordLogs(rec, 9, 'result record');
  return { success: rec[0] === 1, gasUsed: new DataView(rec.buffer, rec.byteOffset).getBigUint64(1), logs };
}

/**
 * Where the EVM guest comes from: its sources (compiled, cached), else the shipped built-in app
 * `guest/apps/evm/evm.wasm` (the same bytes: `src/apps/sdk/builtin-apps.test.ts` rebuilds it).
 */
export function evmGuestBytes(): Uint8Array {
  const dir = join(PACKAGE_ROOT, 'guest', 'apps', 'evm');
  if (existsSync(join(dir, 'main.ts'))) {
    try {
      return compileApp('evm');
    } catch (e) {
      throw new EvmGuestError(
        `the EVM guest (guest/apps/evm/main.ts) does not compile: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
  const wasm = builtinAppPath('evm');
  if (existsSync(wasm)) return builtinAppBytes('evm');
  throw new EvmGuestError(`no EVM guest: neither ${join(dir, 'main.ts')} nor ${wasm} exists`);
}

export type TxOutcome =
  | { applied: false; refusal: string; code: number; root: Uint8Array; steps: number }
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
    if (!this.input.module.exports.some((e) => e.name === 'evm_run_tx' && e.kind === 'func'))
      throw new EvmGuestError('the EVM guest does not export evm_run_tx (docs/evm.md §2)');
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
    const message = runTxMessage(env, raw);
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
        throw new EvmGuestTrapError(`the guest trapped: ${r.error?.message ?? r.status}`);
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
        throw new EvmGuestTrapError(`the interpreter ended with status ${m.status}`);
      gs = m.globalState;
      steps = Number(m.steps);
    }
    if (gs.u64[1] !== 0n)
      return {
        applied: false,
        refusal: refusalName(gs.u64[1]),
        code: Number(gs.u64[1]),
        root: gs.bytes32[0],
        steps,
      };
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
