/**
 * Runs the app ABI's entry points other than `main` (docs/app-abi.md §1) for tests and tools, on an
 * {@link App} (run-app.ts): natively and in the interpreter, which must agree on the global state and
 * the hinted preimages (the hints go into the app's store). The node's own path is
 * src/apps/sdk/app-runtime.ts; this one checks the guest SDK (guest/sdk/abi.ts).
 */
import { lower, type Program } from '../../vm/wasm/lower.ts';
import { type GlobalState, Status } from '../../vm/wasm/machine.ts';
import { runNative, validateStf } from '../../vm/wasm/native.ts';
import { newMachine } from '../../vm/wasm/program.ts';
import { PreimageStore, toHex } from './preimage-store.ts';
import type { App } from './run-app.ts';

const programs = new WeakMap<App, Map<string, Program>>();

function programFor(app: App, entry: string): Program {
  let m = programs.get(app);
  if (!m) {
    m = new Map();
    programs.set(app, m);
  }
  let p = m.get(entry);
  if (!p) {
    p = lower(validateStf(app.bytes), { entry });
    m.set(entry, p);
  }
  return p;
}

const zeroState = (): GlobalState => ({ bytes32: [new Uint8Array(32), new Uint8Array(32)], u64: [0n, 0n] });
const copyGs = (g: GlobalState): GlobalState => ({
  bytes32: [g.bytes32[0].slice(), g.bytes32[1].slice()],
  u64: [g.u64[0], g.u64[1]],
});
const show = (g: GlobalState) => `${g.bytes32.map(toHex).join(',')};${g.u64.join(',')}`;

/**
 * Runs export `entry` of `app` with `message` as the inbox message from `gs`, natively and
 * interpreted; throws if either does not finish or they disagree. Returns the global state after it
 * (the hinted preimages are added to `app.store`) and the interpreter's steps.
 */
export function runEntry(
  app: App,
  entry: string,
  gs: GlobalState,
  message: Uint8Array,
): { globalState: GlobalState; steps: number } {
  const base = app.store;
  const overlay = () => {
    const store = new PreimageStore();
    return { store, get: (k: number, h: Uint8Array) => store.get(h, k) ?? base.get(h, k) };
  };
  const nat = overlay();
  const n = runNative(
    app.bytes,
    { inbox: message, preimages: nat.get, globalState: copyGs(gs), onPreimageHint: nat.store.hint },
    { entry },
  );
  if (n.status !== 'finished')
    throw new Error(`app ${app.name}: ${entry}: native run ${n.status}: ${n.error?.message}`);
  const int = overlay();
  const m = newMachine(programFor(app, entry), copyGs(gs), {
    inboxMessage: (p) => (p === gs.u64[0] ? message : undefined),
    preimage: int.get,
    onPreimageHint: int.store.hint,
  });
  m.run();
  if (m.status !== Status.Finished)
    throw new Error(`app ${app.name}: ${entry}: interpreter status ${m.status}`);
  if (show(m.globalState) !== show(n.globalState))
    throw new Error(
      `app ${app.name}: ${entry}: native and interpreter differ: ${show(n.globalState)} vs ${show(m.globalState)}`,
    );
  const keys = (s: PreimageStore) => s.keys().sort().join(',');
  if (keys(int.store) !== keys(nat.store))
    throw new Error(`app ${app.name}: ${entry}: hinted preimages differ`);
  base.addAll(nat.store);
  return { globalState: n.globalState, steps: m.steps };
}

const u64be = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};

/** The genesis global state of `app` for `chainId` (its `modex_genesis`; docs/app-abi.md §2). */
export function runGenesis(app: App, chainId: bigint): GlobalState {
  const out = runEntry(app, 'modex_genesis', zeroState(), u64be(chainId)).globalState;
  return { bytes32: [out.bytes32[0], new Uint8Array(32)], u64: [0n, 0n] };
}

/** `modex_admit` against the state root `stateRoot`: the verdict, and when 0 the sender and nonce. */
export function runAdmit(
  app: App,
  raw: Uint8Array,
  stateRoot: Uint8Array,
): { verdict: number; sender?: `0x${string}`; nonce?: bigint; stateRoot: Uint8Array } {
  const gs: GlobalState = { bytes32: [stateRoot.slice(), new Uint8Array(32)], u64: [0n, 0n] };
  const out = runEntry(app, 'modex_admit', gs, raw).globalState;
  const verdict = Number(out.u64[1]);
  if (verdict !== 0) return { verdict, stateRoot: out.bytes32[0] };
  return {
    verdict,
    sender: `0x${toHex(out.bytes32[1].subarray(12))}`,
    nonce: out.u64[0],
    stateRoot: out.bytes32[0],
  };
}

/** `modex_query` against `stateRoot`: status and answer (read from the store by its hash). */
export function runQuery(
  app: App,
  stateRoot: Uint8Array,
  data: Uint8Array,
): { status: number; result: Uint8Array } {
  const gs: GlobalState = { bytes32: [stateRoot.slice(), new Uint8Array(32)], u64: [0n, 0n] };
  const out = runEntry(app, 'modex_query', gs, data).globalState;
  const status = Number(out.u64[1]);
  const result = app.store.get(out.bytes32[1]);
  if (!result) throw new Error(`app ${app.name}: modex_query did not hint its answer`);
  return { status, result: status === 0 ? result.slice() : new Uint8Array(0) };
}

/** `modex_receipt_names`: the names, index = code ('' = unnamed). */
export function runReceiptNames(app: App): string[] {
  const out = runEntry(app, 'modex_receipt_names', zeroState(), new Uint8Array(0)).globalState;
  const text = app.store.get(out.bytes32[1]);
  if (!text) throw new Error(`app ${app.name}: modex_receipt_names did not hint its text`);
  return new TextDecoder().decode(text).split(',');
}
