/**
 * Compiles a guest app (guest/apps/<name>/main.ts with the SDK, the asc flags of test-utils/asc.ts)
 * and runs one inbox message natively (V8) and in the interpreter with the same host data; both runs
 * must agree on status, global state and the preimages they hint. Used by tests and clients.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ASC_FLAGS } from '../../build/asc-flags.ts';
import { PACKAGE_ROOT } from '../../util/package-root.ts';
import { lower, type Program } from '../../vm/wasm/lower.ts';
import { type GlobalState, Status } from '../../vm/wasm/machine.ts';
import type { ValidatedModule } from '../../vm/wasm/module.ts';
import { runNative, validateStf } from '../../vm/wasm/native.ts';
import { parseModule } from '../../vm/wasm/parse.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { validateModule } from '../../vm/wasm/validate.ts';
import { brotliDictionary } from './brotli-dictionary.ts';
import { PreimageStore, toHex } from './preimage-store.ts';
import { EMPTY_ROOT, StateTree } from './state-tree.ts';

const REPO_ROOT = PACKAGE_ROOT;
const GUEST = join(REPO_ROOT, 'guest');
const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'modex-asc');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    )
    .sort();
}

/** Compiles `guest/apps/<name>/main.ts` (cached by the hash of the SDK and app sources). */
export function compileApp(name: string): Uint8Array {
  return compileGuest(join('apps', name, 'main.ts'));
}

/**
 * Compiles `guest/<entry>` with the SDK (cached by the hash of the SDK and the entry's directory; for
 * an entry under `apps/<name>/`, e.g. a test guest in `apps/evm/test/`, of the whole app directory,
 * whose modules it imports).
 */
export function compileGuest(entry: string, opts: { validate?: boolean } = {}): Uint8Array {
  const name = entry.replace(/[^a-zA-Z0-9]+/g, '-');
  const req = createRequire(import.meta.url);
  const pkgPath = req.resolve('assemblyscript/package.json');
  const version = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  const app = /^apps\/[^/]+\//.exec(entry);
  const dir = app ? join(GUEST, app[0]) : dirname(join(GUEST, entry));
  const files = [...new Set([...sources(join(GUEST, 'sdk')), ...sources(dir)])];
  const h = createHash('sha256').update(version).update(ASC_FLAGS.join(' '));
  for (const f of files) h.update(f).update('\0').update(readFileSync(f));
  const cached = join(CACHE_DIR, `app-${name}-${h.digest('hex').slice(0, 32)}.wasm`);
  if (existsSync(cached)) return new Uint8Array(readFileSync(cached));
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  try {
    execFileSync(
      process.execPath,
      [join(dirname(pkgPath), 'bin', 'asc.js'), join(GUEST, entry), ...ASC_FLAGS, '-o', tmp],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT },
    );
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(
      `asc failed for ${entry}:\n${err.stderr?.toString() ?? ''}${err.stdout?.toString() ?? ''}`,
    );
  }
  const bytes = new Uint8Array(readFileSync(tmp));
  // a module with floats is validated after float lowering (docs/softfloat.md §6), by its test
  if (opts.validate !== false) validateModule(parseModule(bytes));
  renameSync(tmp, cached);
  return bytes;
}

/** Receipt statuses (guest/sdk/stf.ts; names in docs/app-abi.md §5 and SDK_RECEIPT_NAMES). */
export const Receipt = {
  OK: 0,
  MALFORMED: 1,
  WRONG_APP: 2,
  WRONG_CHAIN: 3,
  BAD_SIGNATURE: 4,
  BAD_NONCE: 5,
  UNKNOWN_OP: 6,
  INSUFFICIENT_BALANCE: 7,
  OVERFLOW: 8,
  UNKNOWN_KIND: 9,
  UNDECODABLE: 10,
  UNSUPPORTED: 11,
  OUT_OF_STEPS: 12,
  TRAPPED: 13,
} as const;

export interface Receipts {
  /** message-level status: OK for a decoded batch; a deposit's status; UNKNOWN_KIND; UNDECODABLE */
  message: number;
  /** one status per transaction of a batch */
  txs: number[];
}

export const receiptKey = (position: bigint): Uint8Array => {
  const k = new Uint8Array(9);
  new DataView(k.buffer).setBigUint64(1, position);
  return k;
};

/** The receipts of the message at `position`, read from the state tree. */
export function readReceipts(store: PreimageStore, root: Uint8Array, position: bigint): Receipts | undefined {
  const v = new StateTree(store, root).get(receiptKey(position));
  if (!v) return undefined;
  const count = new DataView(v.buffer, v.byteOffset).getUint32(1);
  return { message: v[0], txs: [...v.subarray(5, 5 + count)] };
}

/** Genesis: empty state tree, empty outbox, inbox position 0. */
export function genesis(): GlobalState {
  return { bytes32: [EMPTY_ROOT.slice(), EMPTY_ROOT.slice()], u64: [0n, 0n] };
}

const copyGs = (g: GlobalState): GlobalState => ({
  bytes32: [g.bytes32[0].slice(), g.bytes32[1].slice()],
  u64: [g.u64[0], g.u64[1]],
});

export interface AppRun {
  globalState: GlobalState;
  receipts: Receipts | undefined;
  /** interpreter steps */
  steps: number;
  /** wall time of the native run, ms */
  nativeMs: number;
  /** preimages hinted by the run (new nodes and values) */
  hinted: number;
  /** the interpreter's memory size at the end of the run, bytes (0 if not interpreted) */
  memoryBytes: number;
}

export class App {
  readonly bytes: Uint8Array;
  readonly program: Program;
  /** validated once: the native runner compiles it once (runNative's cache) */
  readonly validated: ValidatedModule;
  /** whether the module writes stf v1 receipts (an app; not a test guest) */
  private readonly withReceipts: boolean;
  /**
   * `name`: an app under guest/apps, or a path under guest/ (e.g. `sdk/test/state_ops.ts`),
   * compiled; or, with `bytes`, only a name for the given module (an app: src/apps/sdk/app-runtime.ts)
   */
  constructor(
    readonly name: string,
    readonly store = new PreimageStore(),
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ?? (name.includes('/') ? compileGuest(name) : compileApp(name));
    this.withReceipts = bytes !== undefined || !name.includes('/');
    // parsed and validated once, for the interpreter's program and the native runner
    this.validated = validateStf(this.bytes);
    this.program = lower(this.validated);
    // kind 0x04 batches (brotli) read the RFC 7932 dictionary as a preimage (docs/stf.md)
    this.store.add(brotliDictionary());
  }

  /**
   * Runs `message` (the inbox message at position `gs.u64[0]`) natively and interpreted; throws if
   * the runs disagree (status, global state, hinted preimages) or do not finish. The hinted
   * preimages are then added to the store. With `interpret: false` (what nodes run) only natively,
   * reading and filling the store in place.
   */
  run(gs: GlobalState, message: Uint8Array, opts: { interpret?: boolean } = {}): AppRun {
    const base = this.store;
    if (opts.interpret === false) return this.runNativeOnly(gs, message);
    const overlay = (): {
      store: PreimageStore;
      get: (k: number, h: Uint8Array) => Uint8Array | undefined;
    } => {
      const store = new PreimageStore();
      return { store, get: (k, h) => store.get(h, k) ?? base.get(h, k) };
    };
    const nat = overlay();
    const t0 = performance.now();
    const n = runNative(
      { bytes: this.bytes, module: this.validated },
      {
        inbox: message,
        preimages: nat.get,
        globalState: copyGs(gs),
        onPreimageHint: nat.store.hint,
      },
    );
    const nativeMs = performance.now() - t0;
    if (n.status !== 'finished')
      throw new Error(`app ${this.name}: native run ${n.status}: ${n.error?.message}`);
    const int = overlay();
    const m = newMachine(this.program, copyGs(gs), {
      inboxMessage: (p) => (p === gs.u64[0] ? message : undefined),
      preimage: int.get,
      onPreimageHint: int.store.hint,
    });
    m.run();
    if (m.status !== Status.Finished) throw new Error(`app ${this.name}: interpreter status ${m.status}`);
    const show = (g: GlobalState) => `${g.bytes32.map(toHex).join(',')};${g.u64.join(',')}`;
    if (show(m.globalState) !== show(n.globalState))
      throw new Error(
        `app ${this.name}: native and interpreter differ: ${show(n.globalState)} vs ${show(m.globalState)}`,
      );
    const keys = (s: PreimageStore) => s.keys().sort().join(',');
    if (keys(int.store) !== keys(nat.store)) throw new Error(`app ${this.name}: hinted preimages differ`);
    base.addAll(nat.store);
    return {
      globalState: n.globalState,
      receipts: this.withReceipts ? readReceipts(base, n.globalState.bytes32[0], gs.u64[0]) : undefined,
      steps: m.steps,
      nativeMs,
      hinted: nat.store.size,
      memoryBytes: m.memory.length,
    };
  }

  /**
   * The node's path (no interpreter to agree with): the runner reads keccak preimages in place from
   * the store and records every hint straight into it, with no copy or allocation per host call
   * (`HostContext.preimageStore`). The store is content-addressed, so a run that fails leaves
   * nothing wrong in it.
   */
  private runNativeOnly(gs: GlobalState, message: Uint8Array): AppRun {
    const store = this.store;
    const before = store.size;
    const t0 = performance.now();
    const n = runNative(
      { bytes: this.bytes, module: this.validated },
      {
        inbox: message,
        preimages: (kind, h) => store.get(h, kind),
        preimageStore: store,
        globalState: copyGs(gs),
      },
    );
    const nativeMs = performance.now() - t0;
    if (n.status !== 'finished')
      throw new Error(`app ${this.name}: native run ${n.status}: ${n.error?.message}`);
    return {
      globalState: n.globalState,
      receipts: this.withReceipts ? readReceipts(store, n.globalState.bytes32[0], gs.u64[0]) : undefined,
      steps: 0,
      nativeMs,
      hinted: store.size - before,
      memoryBytes: 0,
    };
  }

  tree(gs: GlobalState): StateTree {
    return new StateTree(this.store, gs.bytes32[0]);
  }
}
