/**
 * `modex test`: runs an app's test vectors (inbox messages in, expected global state or query
 * answers out) natively (V8) and in the step interpreter, one `main` run per inbox message, and
 * compares (docs/build.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PreimageStore } from '../apps/sdk/preimage-store.ts';
import { ModexError } from '../core/errors.ts';
import { lower, type Program } from '../vm/wasm/lower.ts';
import { type GlobalState, type HostData, HostDataUnavailableError, Status } from '../vm/wasm/machine.ts';
import { runNative, validateStf } from '../vm/wasm/native.ts';
import { newMachine } from '../vm/wasm/program.ts';
import { type AppConfig, loadAppConfig } from './build.ts';

export const DEFAULT_VECTORS_FILE = 'test-vectors.json';

export interface TestVector {
  name: string;
  /** inbox messages: `0x`-hex bytes, or any other string for its UTF-8 bytes */
  inbox: string[];
  /** `chainId`: start from the app's genesis for this chain id (modex_genesis) instead of `stateRoot` */
  initial?: {
    stateRoot?: string;
    sendRoot?: string;
    inboxPosition?: number | string;
    chainId?: number | string;
  };
  expect?: { stateRoot?: string; sendRoot?: string; queries?: QueryExpectation[] };
}

export interface VectorResult {
  name: string;
  ok: boolean;
  /** what went wrong (when !ok) */
  problem?: string;
  stateRoot: `0x${string}`;
  sendRoot: `0x${string}`;
  /** interpreter steps over all messages */
  steps: number;
}

export class TestVectorsError extends ModexError {}

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

export function messageBytes(m: string): Uint8Array {
  if (/^0x([0-9a-fA-F]{2})*$/.test(m)) return new Uint8Array(Buffer.from(m.slice(2), 'hex'));
  return new Uint8Array(Buffer.from(m, 'utf8'));
}

function word(s: string | undefined, what: string, file: string): Uint8Array {
  if (s === undefined) return new Uint8Array(32);
  if (!/^0x[0-9a-fA-F]{64}$/.test(s)) {
    throw new TestVectorsError(
      'TEST_VECTORS_INVALID',
      `${file}: ${what} must be 0x and 64 hex digits, got ${s}`,
    );
  }
  return new Uint8Array(Buffer.from(s.slice(2), 'hex'));
}

/** The vectors file of the app in `dir`. */
export function vectorsPath(dir: string, cfg: AppConfig = loadAppConfig(dir)): string {
  return resolve(dir, cfg.testVectors ?? DEFAULT_VECTORS_FILE);
}

/** Reads and checks a vectors file (`{ "vectors": [...] }`). */
export function loadVectors(file: string): TestVector[] {
  if (!existsSync(file)) {
    throw new TestVectorsError(
      'TEST_VECTORS_MISSING',
      `no test vectors at ${file}; add a ${DEFAULT_VECTORS_FILE} (see \`npx modex new\`) or set "testVectors" in modex.app.json`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TestVectorsError('TEST_VECTORS_INVALID', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const vectors = (raw as { vectors?: unknown })?.vectors;
  if (!Array.isArray(vectors) || vectors.length === 0) {
    throw new TestVectorsError(
      'TEST_VECTORS_INVALID',
      `${file}: expected { "vectors": [ … ] } with at least one vector`,
    );
  }
  vectors.forEach((v: TestVector, i) => {
    const where = `${file}: vector ${i}`;
    if (typeof v !== 'object' || v === null)
      throw new TestVectorsError('TEST_VECTORS_INVALID', `${where} is not an object`);
    if (typeof v.name !== 'string')
      throw new TestVectorsError('TEST_VECTORS_INVALID', `${where}: "name" must be a string`);
    if (!Array.isArray(v.inbox) || v.inbox.some((m) => typeof m !== 'string')) {
      throw new TestVectorsError(
        'TEST_VECTORS_INVALID',
        `${where} (${v.name}): "inbox" must be an array of strings`,
      );
    }
    word(v.initial?.stateRoot, `${v.name}: initial.stateRoot`, file);
    word(v.initial?.sendRoot, `${v.name}: initial.sendRoot`, file);
    if (v.expect?.stateRoot) word(v.expect.stateRoot, `${v.name}: expect.stateRoot`, file);
    if (v.expect?.sendRoot) word(v.expect.sendRoot, `${v.name}: expect.sendRoot`, file);
    const id = v.initial?.chainId;
    if (
      id !== undefined &&
      !(typeof id === 'number' || (typeof id === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(id)))
    )
      throw new TestVectorsError(
        'TEST_VECTORS_INVALID',
        `${where} (${v.name}): initial.chainId must be an integer`,
      );
    const qs = v.expect?.queries;
    if (qs !== undefined && (!Array.isArray(qs) || qs.some((q) => typeof q?.data !== 'string')))
      throw new TestVectorsError(
        'TEST_VECTORS_INVALID',
        `${where} (${v.name}): expect.queries must be an array of { "data": "0x…", "status"?, "result"? }`,
      );
  });
  return vectors as TestVector[];
}

const copyGs = (g: GlobalState): GlobalState => ({
  bytes32: [g.bytes32[0].slice(), g.bytes32[1].slice()],
  u64: [g.u64[0], g.u64[1]],
});

const showGs = (g: GlobalState): string =>
  `stateRoot ${hex(g.bytes32[0])}, sendRoot ${hex(g.bytes32[1])}, inbox position ${g.u64[0]}, position in message ${g.u64[1]}`;

const sameGs = (a: GlobalState, b: GlobalState): boolean => showGs(a) === showGs(b);

/** A query run on the state after the vector's inbox (modex_query, docs/app-abi.md §4). */
export interface QueryExpectation {
  /** the query bytes, 0x-hex (kind ‖ args) */
  data: string;
  /** expected status; default 0 */
  status?: number;
  /** expected answer, 0x-hex (checked when status is 0) */
  result?: string;
}

/** Runs `entry` natively and interpreted from `gs` with `message`; hints go into `store` when both agree. */
function runBoth(
  bytes: Uint8Array,
  program: Program,
  entry: string,
  gs: GlobalState,
  message: (pos: bigint) => Uint8Array | undefined,
  store: PreimageStore,
  at: string,
): { gs: GlobalState; steps: number } | { problem: string } {
  const overlay = () => {
    const own = new PreimageStore();
    return { own, get: (k: number, h: Uint8Array) => own.get(h, k) ?? store.get(h, k) };
  };
  const nat = overlay();
  const int = overlay();
  const host: HostData = { inboxMessage: message, preimage: int.get, onPreimageHint: int.own.hint };
  let n: ReturnType<typeof runNative>;
  const m = newMachine(program, copyGs(gs), host);
  try {
    n = runNative(
      bytes,
      {
        inbox: message(gs.u64[0]) ?? new Uint8Array(0),
        inboxMessage: message,
        preimages: nat.get,
        onPreimageHint: nat.own.hint,
        globalState: copyGs(gs),
      },
      { entry },
    );
    m.run();
  } catch (e) {
    if (e instanceof HostDataUnavailableError) return { problem: `${at}: ${e.message}` };
    throw e;
  }
  if (m.status === Status.Running) return { problem: `${at}: the interpreter did not stop` };
  const interp = m.status === Status.Finished ? 'finished' : `errored (trap: ${m.trap})`;
  const native = n.status === 'finished' ? 'finished' : `errored (${n.error?.message})`;
  if ((m.status === Status.Finished) !== (n.status === 'finished') || !sameGs(m.globalState, n.globalState)) {
    return {
      problem:
        `${at}: native and interpreter DIFFER\n  native:      ${native}; ${showGs(n.globalState)}\n` +
        `  interpreter: ${interp}; ${showGs(m.globalState)}`,
    };
  }
  if (m.status !== Status.Finished)
    return { problem: `${at}: the STF trapped: native ${native}, interpreter ${interp}` };
  store.addAll(nat.own);
  return { gs: m.globalState, steps: m.steps };
}

const programs = new WeakMap<Uint8Array, Map<string, Program>>();

/** the module lowered with `entry` as its entry export (cached per module bytes) */
function programWith(bytes: Uint8Array, entry: string): Program {
  let m = programs.get(bytes);
  if (!m) {
    m = new Map();
    programs.set(bytes, m);
  }
  let p = m.get(entry);
  if (!p) {
    p = lower(validateStf(bytes), { entry });
    m.set(entry, p);
  }
  return p;
}

const u64be = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};

/**
 * Runs one vector natively and interpreted, message by message: from `initial` (or, with
 * `initial.chainId`, from the app's genesis for that chain id: `modex_genesis`), then the queries of
 * `expect.queries` (`modex_query`) on the state it ends with. The preimages each run hints are kept
 * for the next, so an app that reads its state through the state tree (the SDK) runs as on a node.
 */
export function runVector(
  bytes: Uint8Array,
  program: Program,
  v: TestVector,
  file = 'test vectors',
): VectorResult {
  const inbox = v.inbox.map(messageBytes);
  const first = BigInt(v.initial?.inboxPosition ?? 0);
  const message = (pos: bigint): Uint8Array | undefined => inbox[Number(pos - first)];
  const store = new PreimageStore();
  let gs: GlobalState = {
    bytes32: [
      word(v.initial?.stateRoot, 'initial.stateRoot', file),
      word(v.initial?.sendRoot, 'initial.sendRoot', file),
    ],
    u64: [first, 0n],
  };
  let steps = 0;
  const result = (ok: boolean, problem?: string): VectorResult => ({
    name: v.name,
    ok,
    ...(problem ? { problem } : {}),
    stateRoot: hex(gs.bytes32[0]),
    sendRoot: hex(gs.bytes32[1]),
    steps,
  });
  if (v.initial?.chainId !== undefined) {
    const chainId = BigInt(v.initial.chainId);
    const zero: GlobalState = { bytes32: [new Uint8Array(32), new Uint8Array(32)], u64: [0n, 0n] };
    const g = runBoth(
      bytes,
      programWith(bytes, 'modex_genesis'),
      'modex_genesis',
      zero,
      () => u64be(chainId),
      store,
      'genesis',
    );
    if ('problem' in g) return result(false, g.problem);
    gs = { bytes32: [g.gs.bytes32[0], gs.bytes32[1]], u64: [first, 0n] };
  }
  for (let i = 0; i < inbox.length; i++) {
    const at = `message ${i} (inbox position ${gs.u64[0]})`;
    if (message(gs.u64[0]) === undefined) {
      return result(false, `before ${at}: the STF moved the inbox position outside the vector's inbox`);
    }
    const r = runBoth(bytes, program, 'main', gs, message, store, at);
    if ('problem' in r) return result(false, r.problem);
    steps += r.steps;
    gs = r.gs;
  }
  const want = v.expect?.stateRoot;
  const queries = v.expect?.queries ?? [];
  if (!want && queries.length === 0)
    return result(false, `no expect.stateRoot; got ${hex(gs.bytes32[0])} (add it if that is right)`);
  if (want && want.toLowerCase() !== hex(gs.bytes32[0])) {
    return result(false, `state root mismatch: expected ${want.toLowerCase()}, got ${hex(gs.bytes32[0])}`);
  }
  const wantSend = v.expect?.sendRoot;
  if (wantSend && wantSend.toLowerCase() !== hex(gs.bytes32[1])) {
    return result(false, `send root mismatch: expected ${wantSend.toLowerCase()}, got ${hex(gs.bytes32[1])}`);
  }
  for (const q of queries) {
    const data = messageBytes(q.data);
    const at = `query ${q.data}`;
    const qs: GlobalState = { bytes32: [gs.bytes32[0].slice(), new Uint8Array(32)], u64: [0n, 0n] };
    const r = runBoth(bytes, programWith(bytes, 'modex_query'), 'modex_query', qs, () => data, store, at);
    if ('problem' in r) return result(false, r.problem);
    const status = Number(r.gs.u64[1]);
    if (status !== (q.status ?? 0))
      return result(false, `${at}: status ${status}, expected ${q.status ?? 0}`);
    if (status === 0 && q.result !== undefined) {
      const got = store.get(r.gs.bytes32[1]);
      if (!got) return result(false, `${at}: the answer was not hinted`);
      if (hex(got) !== q.result.toLowerCase())
        return result(false, `${at}: answer ${hex(got)}, expected ${q.result.toLowerCase()}`);
    }
  }
  return result(true);
}

/** Runs every vector of `file`. */
export function runVectors(bytes: Uint8Array, program: Program, file: string): VectorResult[] {
  return loadVectors(file).map((v) => runVector(bytes, program, v, file));
}
