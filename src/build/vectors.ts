/**
 * `modex test`: runs an app's test vectors (inbox messages in, expected global state out) natively
 * (V8) and in the step interpreter, one `main` run per inbox message, and compares (docs/build.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModexError } from '../core/errors.ts';
import type { Program } from '../vm/wasm/lower.ts';
import { type GlobalState, type HostData, HostDataUnavailableError, Status } from '../vm/wasm/machine.ts';
import { runNative } from '../vm/wasm/native.ts';
import { newMachine } from '../vm/wasm/program.ts';
import { type AppConfig, loadAppConfig } from './build.ts';

export const DEFAULT_VECTORS_FILE = 'test-vectors.json';

export interface TestVector {
  name: string;
  /** inbox messages: `0x`-hex bytes, or any other string for its UTF-8 bytes */
  inbox: string[];
  initial?: { stateRoot?: string; sendRoot?: string; inboxPosition?: number | string };
  expect?: { stateRoot?: string; sendRoot?: string };
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
      `no test vectors at ${file}; add a ${DEFAULT_VECTORS_FILE} (see \`modex new\`) or set "testVectors" in modex.app.json`,
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

/** Runs one vector natively and interpreted, message by message. */
export function runVector(
  bytes: Uint8Array,
  program: Program,
  v: TestVector,
  file = 'test vectors',
): VectorResult {
  const inbox = v.inbox.map(messageBytes);
  const first = BigInt(v.initial?.inboxPosition ?? 0);
  const message = (pos: bigint): Uint8Array | undefined => inbox[Number(pos - first)];
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
  for (let i = 0; i < inbox.length; i++) {
    const at = `message ${i} (inbox position ${gs.u64[0]})`;
    if (message(gs.u64[0]) === undefined) {
      return result(false, `before ${at}: the STF moved the inbox position outside the vector's inbox`);
    }
    const host: HostData = { inboxMessage: message, preimage: () => undefined };
    let nat: ReturnType<typeof runNative>;
    const m = newMachine(program, copyGs(gs), host);
    try {
      nat = runNative(bytes, {
        inbox: message(gs.u64[0])!,
        inboxMessage: message,
        preimages: () => undefined,
        globalState: copyGs(gs),
      });
      m.run();
    } catch (e) {
      if (e instanceof HostDataUnavailableError) return result(false, `${at}: ${e.message}`);
      throw e;
    }
    steps += m.steps;
    if (m.status === Status.Running) return result(false, `${at}: the interpreter did not stop`);
    const interp = m.status === Status.Finished ? 'finished' : `errored (trap: ${m.trap})`;
    const native = nat.status === 'finished' ? 'finished' : `errored (${nat.error?.message})`;
    if (
      (m.status === Status.Finished) !== (nat.status === 'finished') ||
      !sameGs(m.globalState, nat.globalState)
    ) {
      return result(
        false,
        `${at}: native and interpreter DIFFER\n  native:      ${native}; ${showGs(nat.globalState)}\n` +
          `  interpreter: ${interp}; ${showGs(m.globalState)}`,
      );
    }
    if (m.status !== Status.Finished)
      return result(false, `${at}: the STF trapped: native ${native}, interpreter ${interp}`);
    gs = m.globalState;
  }
  const want = v.expect?.stateRoot;
  if (!want) return result(false, `no expect.stateRoot; got ${hex(gs.bytes32[0])} (add it if that is right)`);
  if (want.toLowerCase() !== hex(gs.bytes32[0])) {
    return result(false, `state root mismatch: expected ${want.toLowerCase()}, got ${hex(gs.bytes32[0])}`);
  }
  const wantSend = v.expect?.sendRoot;
  if (wantSend && wantSend.toLowerCase() !== hex(gs.bytes32[1])) {
    return result(false, `send root mismatch: expected ${wantSend.toLowerCase()}, got ${hex(gs.bytes32[1])}`);
  }
  return result(true);
}

/** Runs every vector of `file`. */
export function runVectors(bytes: Uint8Array, program: Program, file: string): VectorResult[] {
  return loadVectors(file).map((v) => runVector(bytes, program, v, file));
}
