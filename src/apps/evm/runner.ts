/**
 * The state-test runner (docs/evm.md "The state-test runner"): for each case of `post.Cancun`,
 * the pre-state into a modex state tree, one `evm_run_tx` run of the case's `txbytes` natively or in
 * the step interpreter, then the post-state read back from the tree into Ethereum's Merkle Patricia
 * trie root and the logs hash from the result record, compared with `hash` and `logs`. A case with
 * `expectException` passes only when the guest refuses its transaction.
 */
import { ModexError } from '../../core/errors.ts';
import { PreimageStore } from '../sdk/preimage-store.ts';
import { EnvRangeError, encodeEnv } from './env.ts';
import { FORK, loadFixtureFile, type StateTest, type StateTestCase } from './fixture.ts';
import { EvmGuest, EvmGuestTrapError, ethStateRoot, logsHash, type TxOutcome } from './guest.ts';
import { writePreState } from './world.ts';

export {
  EvmGuestError,
  evmGuestBytes,
  parseResultRecord,
  REFUSAL_NAMES,
  type ResultRecord,
  refusalName,
} from './guest.ts';

export const ENGINES = ['native', 'interp'] as const;
export type Engine = (typeof ENGINES)[number];

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

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

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
  private readonly guest: EvmGuest;
  private readonly filter?: RegExp;

  constructor(opts: RunnerOptions = {}) {
    this.engine = opts.engine ?? 'native';
    this.guest = new EvmGuest(opts.wasm);
    this.filter = opts.filter;
  }

  /** Runs one case of test `t` whose pre-state is at `root` in `store`. */
  runCase(t: StateTest, c: StateTestCase, store: PreimageStore, root: Uint8Array): CaseResult {
    const base = { test: t.name, index: c.index, indexes: c.indexes };
    const expected = { hash: hex(c.hash), logs: hex(c.logs), exception: c.expectException };
    let env: Uint8Array;
    try {
      env = encodeEnv(t.env);
    } catch (e) {
      if (e instanceof EnvRangeError) return { ...base, status: 'skip', reason: e.message };
      throw e;
    }
    let out: TxOutcome;
    try {
      out = this.guest.runTx(store, root, env, c.txbytes, this.engine);
    } catch (e) {
      if (e instanceof EvmGuestTrapError) return { ...base, status: 'fail', reason: e.message, expected };
      throw e;
    }
    if (!out.applied) {
      const verdict = `refused: ${out.refusal}`;
      // a refusal leaves the state unchanged (docs/evm.md §2)
      if (hex(out.root) !== hex(root))
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
      const actual = {
        verdict: 'applied',
        hash: hex(ethStateRoot(store, out.root)),
        logs: hex(logsHash(out.logs)),
        gasUsed: out.gasUsed,
        success: out.success,
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
