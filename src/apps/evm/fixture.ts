/**
 * Ethereum GeneralStateTests fixtures (../shared/conformance/README.md "ethereum-tests"; docs/evm.md
 * "The state-test runner"): a file holds tests, each with `env`, `pre`, `transaction` and
 * `post.Cancun`, a list of cases with their expected `hash`, `logs`, signed `txbytes` and, for an
 * invalid transaction, `expectException`. Parsed strictly: a corrupt file gives a
 * {@link FixtureError} naming the file, the test and the field.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModexError } from '../../core/errors.ts';

/** A fixture that cannot be read or does not have the state-test shape. */
export class FixtureError extends ModexError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVM_FIXTURE_INVALID', message, options);
  }
}

/** A path given to the runner that does not exist. */
export class FixturePathError extends ModexError {
  constructor(message: string) {
    super('EVM_FIXTURE_PATH', message);
  }
}

/**
 * The fixture files under `paths`: a file as given, a folder's `.json` files at any depth (sorted,
 * so that runs and their output are reproducible). A path that does not exist is an error.
 */
export function fixtureFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) out.push(p);
    }
  };
  for (const p of paths) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      throw new FixturePathError(
        `${p}: no such file or folder (give state-test .json files or folders, e.g. ../shared/conformance/ethereum-tests/GeneralStateTests)`,
      );
    }
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

export interface PreAccount {
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  /** slot (32 bytes, lower-case hex without 0x) → value */
  storage: Map<string, bigint>;
}

export interface StateTestEnv {
  coinbase: Uint8Array;
  number: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  baseFee: bigint;
  /** currentRandom (prevRandao), 32 bytes */
  random: Uint8Array;
  excessBlobGas: bigint;
}

export interface StateTestCase {
  /** position in post.Cancun */
  index: number;
  indexes: { data: number; gas: number; value: number };
  hash: Uint8Array;
  logs: Uint8Array;
  txbytes: Uint8Array;
  expectException?: string;
}

export interface StateTest {
  name: string;
  env: StateTestEnv;
  /** address (20 bytes, lower-case hex without 0x) → account */
  pre: Map<string, PreAccount>;
  /** the cases of post.Cancun (empty when the test has none) */
  cases: StateTestCase[];
  /** the forks the test has post-states for */
  forks: string[];
}

/** The fork whose post-states the runner checks. */
export const FORK = 'Cancun';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses the fixture file at `path`. */
export function loadFixtureFile(path: string): StateTest[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FixtureError(`${path}: cannot read the file: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FixtureError(`${path}: not JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseFixture(json, path);
}

/** Parses a fixture's JSON (`where` names it in errors). */
export function parseFixture(json: unknown, where: string): StateTest[] {
  if (!isObj(json)) throw new FixtureError(`${where}: expected an object of named state tests`);
  return Object.entries(json).map(([name, t]) => parseTest(t, `${where}: test ${name}`, name));
}

function parseTest(t: unknown, at: string, name: string): StateTest {
  if (!isObj(t)) throw new FixtureError(`${at}: not an object`);
  for (const k of ['env', 'pre', 'transaction', 'post'])
    if (!isObj(t[k])) throw new FixtureError(`${at}: missing or malformed "${k}" (an object)`);
  const post = t.post as Json;
  const env = parseEnv(t.env as Json, `${at}: env`);
  const pre = new Map<string, PreAccount>();
  for (const [addr, a] of Object.entries(t.pre as Json)) {
    const where = `${at}: pre ${addr}`;
    if (!isObj(a)) throw new FixtureError(`${where}: not an object`);
    const storage = new Map<string, bigint>();
    if (!isObj(a.storage)) throw new FixtureError(`${where}: missing "storage"`);
    for (const [slot, v] of Object.entries(a.storage))
      storage.set(word(slot, `${where}: storage key`), uint(v, `${where}: storage ${slot}`));
    pre.set(Buffer.from(hexN(addr, 20, where)).toString('hex'), {
      balance: uint(a.balance, `${where}: balance`),
      nonce: uint(a.nonce, `${where}: nonce`),
      code: bytes(a.code, `${where}: code`),
      storage,
    });
  }
  const raw = post[FORK];
  const cases: StateTestCase[] = [];
  if (raw !== undefined) {
    if (!Array.isArray(raw)) throw new FixtureError(`${at}: post.${FORK} is not a list`);
    raw.forEach((c: unknown, index) => {
      const where = `${at}: post.${FORK}[${index}]`;
      if (!isObj(c) || !isObj(c.indexes)) throw new FixtureError(`${where}: missing "indexes"`);
      const ix = c.indexes;
      const idx = (k: string): number => {
        const v = ix[k];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
          throw new FixtureError(`${where}: indexes.${k} is not an index`);
        return v;
      };
      const ex = c.expectException;
      if (ex !== undefined && typeof ex !== 'string')
        throw new FixtureError(`${where}: expectException is not a string`);
      cases.push({
        index,
        indexes: { data: idx('data'), gas: idx('gas'), value: idx('value') },
        hash: hexN(c.hash, 32, `${where}: hash`),
        logs: hexN(c.logs, 32, `${where}: logs`),
        txbytes: bytes(c.txbytes, `${where}: txbytes`),
        expectException: ex,
      });
    });
  }
  return { name, env, pre, cases, forks: Object.keys(post) };
}

function parseEnv(e: Json, at: string): StateTestEnv {
  return {
    coinbase: hexN(e.currentCoinbase, 20, `${at}.currentCoinbase`),
    number: uint(e.currentNumber, `${at}.currentNumber`),
    timestamp: uint(e.currentTimestamp, `${at}.currentTimestamp`),
    gasLimit: uint(e.currentGasLimit, `${at}.currentGasLimit`),
    baseFee: e.currentBaseFee === undefined ? 0n : uint(e.currentBaseFee, `${at}.currentBaseFee`),
    random:
      e.currentRandom === undefined
        ? new Uint8Array(32)
        : padWord(bytes(e.currentRandom, `${at}.currentRandom`)),
    excessBlobGas:
      e.currentExcessBlobGas === undefined ? 0n : uint(e.currentExcessBlobGas, `${at}.currentExcessBlobGas`),
  };
}

const padWord = (b: Uint8Array): Uint8Array => {
  if (b.length > 32) throw new FixtureError(`a 32-byte word has ${b.length} bytes`);
  const w = new Uint8Array(32);
  w.set(b, 32 - b.length);
  return w;
};

function bytes(v: unknown, at: string): Uint8Array {
  if (typeof v !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(v))
    throw new FixtureError(`${at}: expected 0x-prefixed hex bytes, got ${JSON.stringify(v)?.slice(0, 80)}`);
  return Uint8Array.from(Buffer.from(v.slice(2), 'hex'));
}

function hexN(v: unknown, n: number, at: string): Uint8Array {
  const b = bytes(v, at);
  if (b.length !== n) throw new FixtureError(`${at}: expected ${n} bytes, got ${b.length}`);
  return b;
}

/** a 32-byte storage key given as a hex integer (any length up to 32 bytes), as lower-case hex */
function word(v: string, at: string): string {
  return uint(v, at).toString(16).padStart(64, '0');
}

function uint(v: unknown, at: string): bigint {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]*$/.test(v))
    throw new FixtureError(
      `${at}: expected a 0x-prefixed hex integer, got ${JSON.stringify(v)?.slice(0, 80)}`,
    );
  const n = v === '0x' ? 0n : BigInt(v);
  if (n >= 1n << 256n) throw new FixtureError(`${at}: ${v} does not fit in 256 bits`);
  return n;
}
