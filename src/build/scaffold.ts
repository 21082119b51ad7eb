/**
 * `modex new NAME [--lang as|c|rust]`: scaffolds an app directory from `templates/counter/` (AS),
 * `templates/counter-c/` or `templates/counter-rust/` (docs/build.md "Scaffold"): an app written with
 * the modex SDK of that language (a counter per sender, signed transactions with nonces, a query),
 * its test vectors (signed with fixed test keys, checked through queries), a chain config running it
 * (`modex.config.json`) and a JSON-RPC client script (`client.mjs`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { ModexError } from '../core/errors.ts';
import { APP_CONFIG_FILE, type AppConfig, OUTPUT_FILE } from './build.ts';
import { DEFAULT_ENTRIES, isLang, LANGS, type Lang } from './lang.ts';
import { DEFAULT_VECTORS_FILE, type TestVector } from './vectors.ts';

/** The chain config `modex new` writes beside the app. */
export const CHAIN_CONFIG_FILE = 'modex.config.json';

const TEMPLATE_DIR = new URL('./templates/counter/', import.meta.url);
/** the app source and README of each language (client.mjs is the same for all) */
const LANG_TEMPLATE_DIRS: Record<Lang, URL> = {
  as: TEMPLATE_DIR,
  c: new URL('./templates/counter-c/', import.meta.url),
  rust: new URL('./templates/counter-rust/', import.meta.url),
};

export class ScaffoldError extends ModexError {}

/** The scaffold's app id (byte 0 of its transactions; templates/counter/main.ts.template). */
export const COUNTER_APP_ID = 0x10;
/** The chain id of the scaffold's modex.config.json and test vectors. */
export const SCAFFOLD_CHAIN_ID = 412_346;

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
export const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
};
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** A test account of the vectors (a fixed key: the vectors are reproducible). */
interface Signer {
  key: Uint8Array;
  address: Uint8Array;
}

/** The test account of private key `byte` × 32 (0x11: the vectors' first sender, 0x22: the second). */
export const signer = (byte: number): Signer => {
  const key = new Uint8Array(32).fill(byte);
  const pub = secp256k1.getPublicKey(key, false);
  return { key, address: keccak_256(pub.subarray(1)).subarray(12) };
};

/** A signed transaction (docs/stf.md): body ‖ r ‖ s ‖ v over the EIP-191 message keccak256(body). */
export function signCounterTx(
  who: Signer,
  o: { op?: number; chainId?: bigint; nonce: bigint; args: Uint8Array },
): Uint8Array {
  const body = cat(
    Uint8Array.of(COUNTER_APP_ID, o.op ?? 0x01),
    u64(o.chainId ?? BigInt(SCAFFOLD_CHAIN_ID)),
    u64(o.nonce),
    o.args,
  );
  const digest = keccak_256(body);
  const prefixed = keccak_256(cat(new TextEncoder().encode('\x19Ethereum Signed Message:\n32'), digest));
  const sig = secp256k1.sign(prefixed, who.key, { prehash: false, format: 'recovered' });
  return cat(body, sig.subarray(1, 65), Uint8Array.of(27 + sig[0]));
}

/** inbox message kind 0x00: count u32 ‖ (len u32 ‖ tx)* */
export const batch = (txs: Uint8Array[]): Uint8Array => {
  const parts: Uint8Array[] = [Uint8Array.of(0), u32(txs.length)];
  for (const t of txs) parts.push(u32(t.length), t);
  return cat(...parts);
};
const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
};
/** the stf v1 receipt of a batch: msgStatus 0 ‖ count u32 ‖ statuses */
const receipt = (txs: number[]): Uint8Array => cat(Uint8Array.of(0), u32(txs.length), Uint8Array.from(txs));
const receiptQuery = (pos: bigint): Uint8Array => cat(Uint8Array.of(0x01, 0x00), u64(pos));

/**
 * The scaffold's test vectors: signed transactions of two fixed test keys, from the app's genesis
 * for SCAFFOLD_CHAIN_ID, checked through queries (the counters, nonces, receipts, chain id).
 */
export function counterVectors(): TestVector[] {
  const alice = signer(0x11);
  const bob = signer(0x22);
  const inc = (who: Signer, n: bigint, nonce: bigint, extra: { chainId?: bigint; op?: number } = {}) =>
    signCounterTx(who, { nonce, args: u64(n), ...extra });
  const counter = (who: Signer) => hex(cat(Uint8Array.of(0x10), who.address));
  const nonce = (who: Signer) => hex(cat(Uint8Array.of(0x00), who.address));
  const max = (1n << 64n) - 1n;
  const initial = { chainId: SCAFFOLD_CHAIN_ID };
  return [
    {
      name: 'increments: 5, then 2',
      initial,
      inbox: [hex(batch([inc(alice, 5n, 0n), inc(alice, 2n, 1n)]))],
      expect: {
        queries: [
          { data: counter(alice), result: hex(u64(7n)) },
          { data: nonce(alice), result: hex(u64(2n)) },
          { data: hex(receiptQuery(0n)), result: hex(receipt([0, 0])) },
          { data: '0x02', result: hex(u64(BigInt(SCAFFOLD_CHAIN_ID))) },
        ],
      },
    },
    {
      name: 'rejections change nothing: wrong chain, replay, unknown op, malformed',
      initial,
      inbox: [
        hex(
          batch([
            inc(alice, 1n, 0n, { chainId: 1n }),
            inc(alice, 3n, 0n),
            inc(alice, 3n, 0n),
            inc(alice, 1n, 1n, { op: 0x02 }),
            signCounterTx(alice, { nonce: 1n, args: Uint8Array.of(1) }),
          ]),
        ),
      ],
      expect: {
        queries: [
          { data: counter(alice), result: hex(u64(3n)) },
          { data: nonce(alice), result: hex(u64(1n)) },
          { data: hex(receiptQuery(0n)), result: hex(receipt([3, 0, 5, 6, 1])) },
        ],
      },
    },
    {
      name: 'two senders over two messages; overflow is refused',
      initial,
      inbox: [
        hex(batch([inc(alice, max, 0n), inc(bob, 10n, 0n)])),
        hex(batch([inc(alice, 1n, 1n), inc(bob, 5n, 1n)])),
      ],
      expect: {
        queries: [
          { data: counter(alice), result: hex(u64(max)) },
          { data: counter(bob), result: hex(u64(15n)) },
          { data: hex(receiptQuery(1n)), result: hex(receipt([8, 0])) },
          { data: '0x11', status: 6 },
        ],
      },
    },
  ];
}

/**
 * `NAME/modex.config.json`: a devnet-friendly chain running the app (`modex devnet --config`). C and
 * Rust apps post their batches as EIP-4844 blobs (`l1-blob`): their SDKs do not inflate the brotli
 * batches (kind 0x04) that `l1-calldata` posts whenever compression pays (docs/build.md "C and Rust SDKs").
 */
export function scaffoldChainConfig(name: string, lang: Lang = 'as'): Record<string, unknown> {
  const chainName =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 63) || 'app';
  return {
    chain: { name: chainName, chainId: SCAFFOLD_CHAIN_ID },
    vm: { module: 'wasm', stf: OUTPUT_FILE.split(sep).join('/') },
    proof: { module: 'fraud', challengePeriodSeconds: 10, bond: '1000000000000000000' },
    da: { module: lang === 'as' ? 'l1-calldata' : 'l1-blob' },
    settlement: { module: 'ethereum', rpcUrl: 'embedded' },
    sequencing: { module: 'single', maxDelaySeconds: 300, batch: { maxBytes: 100_000, maxAgeSeconds: 2 } },
  };
}

/**
 * Creates `PARENT/NAME/` with the counter app in `lang` (default AssemblyScript). Refuses an
 * existing path. Returns the app dir and its files.
 */
export function scaffoldApp(name: string, parent = '.', lang: Lang = 'as'): { dir: string; files: string[] } {
  if (!isLang(lang)) {
    throw new ScaffoldError(
      'NEW_BAD_LANG',
      `language ${JSON.stringify(lang)}: use one of ${LANGS.join(', ')} (AssemblyScript, C, Rust)`,
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new ScaffoldError(
      'NEW_BAD_NAME',
      `app name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (starting with a letter or digit)`,
    );
  }
  const dir = resolve(parent, name);
  if (existsSync(dir)) {
    throw new ScaffoldError('NEW_DIR_EXISTS', `${dir} already exists; pick another name or remove it first`);
  }
  const fill = (t: string, from = LANG_TEMPLATE_DIRS[lang]): string =>
    readFileSync(new URL(t, from), 'utf8').replaceAll('{{name}}', name);
  const entry = DEFAULT_ENTRIES[lang];
  const config: AppConfig =
    lang === 'as'
      ? { name, entry, testVectors: DEFAULT_VECTORS_FILE }
      : { name, lang, entry, testVectors: DEFAULT_VECTORS_FILE };
  const files: Record<string, string> = {
    [entry]: fill(`${entry}.template`),
    [APP_CONFIG_FILE]: `${JSON.stringify(config, null, 2)}\n`,
    [CHAIN_CONFIG_FILE]: `${JSON.stringify(scaffoldChainConfig(name, lang), null, 2)}\n`,
    'client.mjs': fill('client.mjs.template', TEMPLATE_DIR).replaceAll(
      '{{appId}}',
      `0x${COUNTER_APP_ID.toString(16)}`,
    ),
    [DEFAULT_VECTORS_FILE]: `${JSON.stringify({ vectors: counterVectors() }, null, 2)}\n`,
    'README.md': fill('README.md.template'),
    '.gitignore': 'build/\n',
  };
  mkdirSync(parent, { recursive: true });
  mkdirSync(dir); // not recursive: fails if it appeared meanwhile
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text, { flag: 'wx' });
  return { dir, files: Object.keys(files) };
}
