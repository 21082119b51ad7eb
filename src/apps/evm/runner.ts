/**
 * The state-test runner (docs/evm.md "The state-test runner"): for each case of `post.Cancun`,
 * the pre-state into a modex state tree, one `evm_run_tx` run of the case's `txbytes` natively or in
 * the step interpreter, then the post-state read back from the tree into Ethereum's Merkle Patricia
 * trie root and the logs hash from the result record, compared with `hash` and `logs`. A case with
 * `expectException` passes only when the guest refuses its transaction.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModexError } from '../../core/errors.ts';
import { PACKAGE_ROOT } from '../../util/package-root.ts';
import { lower, type Program } from '../../vm/wasm/lower.ts';
import { type GlobalState, Status } from '../../vm/wasm/machine.ts';
import type { ValidatedModule } from '../../vm/wasm/module.ts';
import { createNativeSession, type NativeSession, validateStf } from '../../vm/wasm/native.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { PreimageStore } from '../sdk/preimage-store.ts';
import { compileApp } from '../sdk/run-app.ts';
import { EnvRangeError, runTxMessage } from './env.ts';
import { FORK, loadFixtureFile, type StateTest, type StateTestCase } from './fixture.ts';
import { type EthLog, logsHash, stateRoot } from './mpt.ts';
import { readWorld, writePreState } from './world.ts';

export const ENGINES = ['native', 'interp'] as const;
export type Engine = (typeof ENGINES)[number];

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

export interface CaseResult {
  test: string;
  /** position in post.Cancun */
  index: number;
  indexes: { data: number; gas: number; value: number };
  status: 'pass' | 'fail' | 'skip';
  /** why it failed or was skipped */
  reason?: string;
  expected?: { hash: string; logs: string; exception?: string };
  actual?: { hash?: string; logs?: string; verdict: string; gasUsed?: bigint; success?: boolean };
  /** interpreter steps of the run */
  steps?: number;
}

export interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  cases: CaseResult[];
  /** why the whole file was skipped (no post.Cancun case) */
  skipReason?: string;
}

/** The result record of an applied transaction (docs/evm.md §2). */
export interface ResultRecord {
  success: boolean;
  gasUsed: bigint;
  logs: EthLog[];
}

/** Parses a result record; throws on a record that does not have the §2 shape. */
export function parseResultRecord(rec: Uint8Array): ResultRecord {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const need = (q: number, n: number) => {
    if (q + n > rec.length)
      throw new EvmGuestError(`result record: truncated at byte ${q} (${rec.length} bytes)`);
  };
  need(0, 13);
  if (rec[0] > 1) throw new EvmGuestError(`result record: status ${rec[0]} (0 or 1)`);
  const logs: EthLog[] = [];
  const count = dv.getUint32(9);
  let q = 13;
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
  if (q !== rec.length) throw new EvmGuestError(`result record: ${rec.length - q} bytes after the last log`);
  return { success: rec[0] === 1, gasUsed: dv.getBigUint64(1), logs };
}

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/** Where the EVM guest comes from: its sources (compiled, cached), else the shipped `evm.wasm`. */
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
  const wasm = join(dir, 'evm.wasm');
  if (existsSync(wasm)) return new Uint8Array(readFileSync(wasm));
  throw new EvmGuestError(`no EVM guest: neither ${join(dir, 'main.ts')} nor ${wasm} exists`);
}

interface Outcome {
  verdict: bigint;
  globalState: GlobalState;
  steps: number;
}

export interface RunnerOptions {
  engine?: Engine;
  /** the guest's wasm (default {@link evmGuestBytes}) */
  wasm?: Uint8Array;
  /** only tests whose name matches */
  filter?: RegExp;
}

/** Runs state-test files on the EVM guest with one engine. */
export class StateTestRunner {
  readonly engine: Engine;
  private readonly input: { bytes: Uint8Array; module: ValidatedModule };
  private session?: NativeSession;
  private program?: Program;
  private readonly filter?: RegExp;

  constructor(opts: RunnerOptions = {}) {
    this.engine = opts.engine ?? 'native';
    const bytes = opts.wasm ?? evmGuestBytes();
    this.input = { bytes, module: validateStf(bytes) };
    this.filter = opts.filter;
    if (!this.input.module.exports.some((e) => e.name === 'evm_run_tx' && e.kind === 'func'))
      throw new EvmGuestError('the EVM guest does not export evm_run_tx (docs/evm.md §2)');
  }

  private run(store: PreimageStore, root: Uint8Array, message: Uint8Array): Outcome {
    const gs: GlobalState = { bytes32: [root.slice(), new Uint8Array(32)], u64: [0n, 0n] };
    if (this.engine === 'native') {
      this.session ??= createNativeSession(this.input);
      const r = this.session.run('evm_run_tx', {
        inbox: message,
        preimages: (k, h) => store.get(h, k),
        preimageStore: store,
        globalState: gs,
      });
      if (r.status !== 'finished') throw new GuestTrap(`the guest trapped: ${r.error?.message ?? r.status}`);
      return { verdict: r.globalState.u64[1], globalState: r.globalState, steps: r.steps };
    }
    this.program ??= lower(this.input.module, { entry: 'evm_run_tx' });
    const m = newMachine(this.program, gs, {
      inboxMessage: (p) => (p === 0n ? message : undefined),
      preimage: (k, h) => store.get(h, k),
      onPreimageHint: store.hint,
    });
    m.run();
    if (m.status !== Status.Finished) throw new GuestTrap(`the interpreter ended with status ${m.status}`);
    return { verdict: m.globalState.u64[1], globalState: m.globalState, steps: m.steps };
  }

  /** Runs one case of test `t` whose pre-state is at `root` in `store`. */
  runCase(t: StateTest, c: StateTestCase, store: PreimageStore, root: Uint8Array): CaseResult {
    const base = { test: t.name, index: c.index, indexes: c.indexes };
    const expected = { hash: hex(c.hash), logs: hex(c.logs), exception: c.expectException };
    let message: Uint8Array;
    try {
      message = runTxMessage(t.env, c.txbytes);
    } catch (e) {
      if (e instanceof EnvRangeError) return { ...base, status: 'skip', reason: e.message };
      throw e;
    }
    let out: Outcome;
    try {
      out = this.run(store, root, message);
    } catch (e) {
      if (e instanceof GuestTrap) return { ...base, status: 'fail', reason: e.message, expected };
      throw e;
    }
    if (out.verdict !== 0n) {
      const verdict = `refused: ${refusalName(out.verdict)}`;
      // a refusal leaves the state unchanged (docs/evm.md §2)
      if (hex(out.globalState.bytes32[0]) !== hex(root))
        return { ...base, status: 'fail', reason: `${verdict}, but the state root changed`, expected };
      if (c.expectException) return { ...base, status: 'pass', steps: out.steps, actual: { verdict } };
      return {
        ...base,
        status: 'fail',
        reason: `the transaction was ${verdict}`,
        expected,
        actual: { verdict },
      };
    }
    if (c.expectException)
      return {
        ...base,
        status: 'fail',
        reason: `applied, but the transaction is invalid (${c.expectException})`,
        expected,
        actual: { verdict: 'applied' },
      };
    try {
      const recBytes = store.get(out.globalState.bytes32[1]);
      if (!recBytes) throw new EvmGuestError('the result record was not hinted');
      const rec = parseResultRecord(recBytes);
      const actual = {
        verdict: 'applied',
        hash: hex(stateRoot(readWorld(store, out.globalState.bytes32[0]))),
        logs: hex(logsHash(rec.logs)),
        gasUsed: rec.gasUsed,
        success: rec.success,
      };
      const bad = [
        actual.hash !== expected.hash && 'state root',
        actual.logs !== expected.logs && 'logs hash',
      ].filter(Boolean);
      if (bad.length === 0) return { ...base, status: 'pass', steps: out.steps, actual };
      return {
        ...base,
        status: 'fail',
        reason: `${bad.join(' and ')} differ`,
        expected,
        actual,
        steps: out.steps,
      };
    } catch (e) {
      if (e instanceof ModexError) return { ...base, status: 'fail', reason: e.message, expected };
      throw e;
    }
  }

  /** Runs every case of the fixture file at `path` (a corrupt file throws a FixtureError). */
  runFile(path: string, onCase?: (r: CaseResult) => void): FileResult {
    const tests = loadFixtureFile(path).filter((t) => !this.filter || this.filter.test(t.name));
    const result: FileResult = { file: path, passed: 0, failed: 0, skipped: 0, cases: [] };
    for (const t of tests) {
      if (t.cases.length === 0) continue;
      const store = new PreimageStore();
      const root = writePreState(store, t.pre);
      for (const c of t.cases) {
        const r = this.runCase(t, c, store, root);
        result.cases.push(r);
        if (r.status === 'pass') result.passed++;
        else if (r.status === 'fail') result.failed++;
        else result.skipped++;
        onCase?.(r);
      }
    }
    if (result.cases.length === 0)
      result.skipReason =
        tests.length === 0
          ? 'no test matches the filter'
          : `no post.${FORK} case (forks: ${[...new Set(tests.flatMap((t) => t.forks))].join(', ') || 'none'})`;
    return result;
  }
}

/** The guest trapped or did not finish: a failure of the case, not of the runner. */
class GuestTrap extends Error {}
