/**
 * An app as the node sees it (docs/app-abi.md): {@link loadApp} turns a built `.wasm` into an
 * {@link AppRuntime} (src/core/app.ts) that runs the ABI's entry points natively — genesis
 * (`modex_genesis`), admission (`modex_admit`), queries (`modex_query`), receipt names
 * (`modex_receipt_names`) — and reads the SDK's state conventions: receipts at key `0x00 ‖ pos`,
 * withdrawals at `0x06 ‖ i` (their count in the outbox frontier at `0x04`). It also executes inbox
 * messages (`main`, natively; interpreted too on request: `App.run`) over its preimage store, which
 * holds every state it computed.
 *
 * ```ts
 * const app = loadApp(readFileSync('probe/build/probe.wasm'), 'probe');
 * const g = app.genesis(1n);                          // GlobalState at genesis for chain id 1
 * const a = app.admit(rawTx, g.bytes32[0]);           // { ok: true, hash, sender, nonce } | { ok: false, code, reason }
 * const run = app.run(g, message);                    // the message at position 0, natively
 * app.withdrawals(run.globalState.bytes32[0]);        // the outbox leaves, read from the state
 * ```
 *
 * Nothing here knows a transaction format: the app decodes its transactions, the node keeps the
 * hash (keccak256 of the raw bytes) and the replay key the app gives.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { getAddress } from 'viem';
import {
  type Admission,
  APP_ABI_VERSION,
  type AppRuntime,
  type MessageReceipts,
  type QueryResult,
  type Withdrawal,
} from '../../core/app.ts';
import { ModexError } from '../../core/errors.ts';
import type { GlobalState, Hex } from '../../core/types.ts';
import { rememberingRecoveries } from '../../crypto/ecrecover.ts';
import { keccak256Hex } from '../../crypto/keccak.ts';
import type { MachineLimits } from '../../vm/wasm/limits.ts';
import { createNativeSession, type NativeRunResult, type NativeSession } from '../../vm/wasm/native.ts';
import { moduleRootHex } from '../../vm/wasm/program.ts';
import { AppAbiMissingError, abiVersionOf, missingAbiExports } from './abi-check.ts';
import { type BuiltinAppName, builtinAppPath } from './builtin-apps.ts';
import { bytesToBig, concat } from './client-common.ts';
import { OUTBOX_DEPTH, outboxProof, outboxRoot, withdrawalLeaf } from './outbox.ts';
import { PreimageStore, toHex } from './preimage-store.ts';
import { App, readReceipts } from './run-app.ts';
import { EMPTY_ROOT, StateTree } from './state-tree.ts';

/** The SDK's receipt codes 0–15 (docs/app-abi.md §5), index = code. */
export const SDK_RECEIPT_NAMES: readonly string[] = [
  'ok',
  'malformed',
  'wrong_app',
  'wrong_chain',
  'bad_signature',
  'bad_nonce',
  'unknown_op',
  'insufficient_balance',
  'overflow',
  'unknown_kind',
  'undecodable',
  'unsupported',
  'out_of_steps',
  'trapped',
];

const TRAPPED = 13;

/** Query kinds the SDK answers (docs/app-abi.md §4). */
export const QUERY_KIND = { nonce: 0x00, raw: 0x01, chainId: 0x02 } as const;

/** An entry point other than `main` failed in a way that is the node's problem (a state it lacks). Code `APP_ENTRY_FAILED`. */
export class AppEntryError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('APP_ENTRY_FAILED', message, options);
  }
}

const ZERO32 = new Uint8Array(32);

const stateWith = (root: Uint8Array): GlobalState => ({
  bytes32: [root.slice(), ZERO32.slice()],
  u64: [0n, 0n],
});

const u64be = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};

/**
 * Step cap of one run of an entry point other than `main` (admission, query, genesis, receipt
 * names; docs/app-abi.md §1): ten transactions' budgets (guest/sdk/meter.ts TX_STEP_BUDGET), or
 * `vm.limits.maxStepsPerMessage` when lower. A looping admission is refused in about a second.
 */
export const ENTRY_STEP_CAP = 100_000_000n;

/** An app loaded from its wasm: the {@link AppRuntime} of docs/app-abi.md, plus message execution. */
export class WasmApp extends App implements AppRuntime {
  readonly moduleRoot: Hex;
  readonly receiptNames: readonly string[];
  private readonly limits: Partial<MachineLimits>;
  /** the native instance of the entry points other than `main` (admission, queries, …) */
  private session?: NativeSession;
  /** the store's lookup, made once (an entry point runs once per transaction admitted) */
  private readonly preimageOf = (kind: number, hash: Uint8Array): Uint8Array | undefined =>
    this.store.get(hash, kind);

  constructor(
    bytes: Uint8Array,
    name: string,
    opts: { store?: PreimageStore; limits?: Partial<MachineLimits> } = {},
  ) {
    super(name, opts.store ?? new PreimageStore(), bytes);
    // admission and queries are a node's own work, never proven: capped well below a message
    const maxSteps = opts.limits?.maxSteps;
    this.limits = {
      ...opts.limits,
      maxSteps: maxSteps !== undefined && maxSteps < ENTRY_STEP_CAP ? maxSteps : ENTRY_STEP_CAP,
    };
    const missing = missingAbiExports(this.validated);
    if (missing.length > 0)
      throw new AppAbiMissingError(
        `app ${name} is not a modex app: it lacks the app ABI export${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (docs/app-abi.md §1)`,
        missing,
      );
    const version = abiVersionOf(this.bytes, this.validated);
    if (version !== APP_ABI_VERSION)
      throw new AppAbiMissingError(
        `app ${name}: modex_abi_version ${version === undefined ? 'traps' : `returns ${version}`}; this node speaks app-abi v${APP_ABI_VERSION}`,
        ['modex_abi_version'],
      );
    this.moduleRoot = moduleRootHex(this.program);
    this.receiptNames = this.readReceiptNames();
  }

  /**
   * Runs entry point `entry` natively with `message` as the inbox message and `gs` as the global
   * state; hints go into the store. Returns the global state it ended with, or undefined when it
   * trapped. Throws when the store lacks a preimage it reads (the node does not have that state).
   */
  private entry(entry: string, message: Uint8Array, gs: GlobalState): GlobalState | undefined {
    const store = this.store;
    let r: NativeRunResult;
    try {
      // one instance for all of them, restored before each run (runNative's result, without an
      // instantiation per admission)
      this.session ??= createNativeSession(
        { bytes: this.bytes, module: this.validated },
        { limits: this.limits },
      );
      r = this.session.run(entry, {
        inbox: message,
        preimages: this.preimageOf,
        preimageStore: store,
        globalState: gs,
      });
    } catch (e) {
      throw new AppEntryError(`app ${this.name}: ${entry}: ${(e as Error).message}`, { cause: e });
    }
    return r.status === 'finished' ? r.globalState : undefined;
  }

  private readReceiptNames(): string[] {
    const out = this.entry('modex_receipt_names', new Uint8Array(0), stateWith(EMPTY_ROOT));
    const names = [...SDK_RECEIPT_NAMES];
    const text = out && this.store.get(out.bytes32[1]);
    const given = text ? new TextDecoder().decode(text).split(',') : [];
    for (const [i, n] of given.entries()) names[i] = n.trim();
    return names;
  }

  receiptName(code: number): string {
    return this.receiptNames[code] || `status_${code}`;
  }

  genesis(chainId: bigint): GlobalState {
    const zero: GlobalState = { bytes32: [ZERO32.slice(), ZERO32.slice()], u64: [0n, 0n] };
    const out = this.entry('modex_genesis', u64be(chainId), zero);
    if (!out) throw new AppEntryError(`app ${this.name}: modex_genesis trapped`);
    return { bytes32: [out.bytes32[0], ZERO32.slice()], u64: [0n, 0n] };
  }

  /**
   * Admission (docs/app-abi.md §3) against the state root `stateRoot`; the signature recoveries it
   * makes are remembered for the STF's run of the block (src/crypto/ecrecover.ts).
   */
  admit(raw: Uint8Array, stateRoot: Uint8Array, hash: Hex = keccak256Hex(raw)): Admission {
    const out = rememberingRecoveries(() => this.entry('modex_admit', raw, stateWith(stateRoot)));
    const code = out ? Number(out.u64[1]) : TRAPPED;
    if (code !== 0 || !out) return { ok: false, hash, code, reason: this.receiptName(code) };
    return {
      ok: true,
      hash,
      sender: `0x${toHex(out.bytes32[1].subarray(12))}` as Hex,
      nonce: out.u64[0],
    };
  }

  query(stateRoot: Uint8Array, data: Uint8Array): QueryResult {
    const out = this.entry('modex_query', data, stateWith(stateRoot));
    if (!out) return { status: TRAPPED, result: new Uint8Array(0) };
    const status = Number(out.u64[1]);
    if (status !== 0) return { status, result: new Uint8Array(0) };
    const answer = this.store.get(out.bytes32[1]);
    if (!answer) throw new AppEntryError(`app ${this.name}: modex_query did not hint its answer`);
    return { status, result: answer.slice() };
  }

  /** The sender's next nonce in the state `stateRoot` (SDK query kind 0x00). */
  nonceOf(stateRoot: Uint8Array, address: Hex): bigint {
    const q = this.query(stateRoot, concat(Uint8Array.of(QUERY_KIND.nonce), hexBytes(address, 20)));
    if (q.status !== 0)
      throw new AppEntryError(`app ${this.name}: nonce query: ${this.receiptName(q.status)}`);
    return bytesToBig(q.result);
  }

  receipts(stateRoot: Uint8Array, position: bigint): MessageReceipts | undefined {
    return readReceipts(this.store, stateRoot, position);
  }

  /** the number of withdrawals in the state `stateRoot` (the count of the outbox frontier, key 0x04) */
  withdrawalCount(stateRoot: Uint8Array): bigint {
    const frontier = new StateTree(this.store, stateRoot).get(Uint8Array.of(0x04));
    if (!frontier) return 0n;
    if (frontier.length !== 8 + 32 * OUTBOX_DEPTH)
      throw new AppEntryError(
        `app ${this.name}: the outbox frontier (key 0x04) has ${frontier.length} bytes`,
      );
    return bytesToBig(frontier.subarray(0, 8));
  }

  withdrawals(stateRoot: Uint8Array, from = 0n): Withdrawal[] {
    const tree = new StateTree(this.store, stateRoot);
    const count = this.withdrawalCount(stateRoot);
    const out: Withdrawal[] = [];
    for (let i = from < 0n ? 0n : from; i < count; i++) {
      const v = tree.get(concat(Uint8Array.of(0x06), u64be(i)));
      if (v?.length !== 72)
        throw new AppEntryError(
          `app ${this.name}: withdrawal ${i} (key 0x06 ‖ ${i}) is not recorded in the state`,
        );
      out.push({
        index: i,
        from: getAddress(`0x${toHex(v.subarray(0, 20))}`),
        to: getAddress(`0x${toHex(v.subarray(20, 40))}`),
        amount: bytesToBig(v.subarray(40, 72)),
      });
    }
    return out;
  }

  /**
   * Withdrawal `index` with its Merkle proof against the send root of `gs` (docs/app-abi.md §6):
   * the leaves read from the state must hash to that send root.
   */
  withdrawalProof(
    gs: GlobalState,
    index: bigint,
  ): { withdrawal: Withdrawal; proof: Uint8Array[]; sendRoot: Uint8Array } {
    const all = this.withdrawals(gs.bytes32[0]);
    if (index < 0n || index >= BigInt(all.length))
      throw new RangeError(`withdrawal ${index} is not in this state (it has ${all.length})`);
    const leaves = all.map(withdrawalLeaf);
    const sendRoot = gs.bytes32[1];
    if (toHex(outboxRoot(leaves)) !== toHex(sendRoot))
      throw new AppEntryError(
        `app ${this.name}: the ${all.length} withdrawals in the state do not hash to the send root 0x${toHex(sendRoot)}`,
      );
    return { withdrawal: all[Number(index)], proof: outboxProof(leaves, Number(index)), sendRoot };
  }
}

function hexBytes(h: string, len: number): Uint8Array {
  const s = h.startsWith('0x') ? h.slice(2) : h;
  if (s.length !== 2 * len || !/^[0-9a-fA-F]*$/.test(s))
    throw new RangeError(`not ${len} bytes of hex: ${h}`);
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

/**
 * The machine limits of a chain config's `vm.limits` for the app's entry points other than `main`
 * (docs/app-abi.md §1: `maxStepsPerMessage`, lowered to ENTRY_STEP_CAP; the memory cap).
 */
export function appLimitsOf(limits?: {
  maxStepsPerMessage?: number;
  maxMemoryPages?: number;
}): Partial<MachineLimits> {
  const out: Partial<MachineLimits> = {};
  if (limits?.maxStepsPerMessage !== undefined) out.maxSteps = BigInt(limits.maxStepsPerMessage);
  if (limits?.maxMemoryPages !== undefined) out.maxMemoryPages = limits.maxMemoryPages;
  return out;
}

/** Loads an app from its wasm bytes (throws `APP_ABI_MISSING` for a module without the ABI). */
export function loadApp(
  bytes: Uint8Array,
  name: string,
  opts: { store?: PreimageStore; limits?: Partial<MachineLimits> } = {},
): WasmApp {
  return new WasmApp(bytes, name, opts);
}

/** Which app a chain runs: a built-in one (`vm.app`) or a built `.wasm` (`vm.stf`). */
export interface AppSource {
  /** a built-in app's name, or the file name of the wasm */
  name: string;
  bytes: Uint8Array;
  /** the wasm file, when it came from one */
  path?: string;
}

/**
 * The wasm of a chain config's app: `vm.stf` (a path, resolved by the config loader) or `vm.app` (a
 * built-in app: the wasm modex ships, builtin-apps.ts).
 */
export function appSourceOf(vm: { app?: string; stf?: string }): AppSource {
  if (vm.stf) {
    const path = resolve(vm.stf);
    return { name: basename(path).replace(/\.wasm$/, ''), bytes: new Uint8Array(readFileSync(path)), path };
  }
  if (!vm.app) throw new RangeError('the config names no app: set vm.app or vm.stf');
  const path = builtinAppPath(vm.app as BuiltinAppName);
  return { name: vm.app, bytes: new Uint8Array(readFileSync(path)), path };
}
