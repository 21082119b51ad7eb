/**
 * `modex new NAME`: scaffolds an app directory from `templates/counter/` (docs/build.md "Scaffold").
 * The expected roots of the scaffolded test vectors come from {@link counterRoot}, a TypeScript
 * reference implementation of the template's STF, so `modex test` checks the wasm against it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModexError } from '../core/errors.ts';
import { APP_CONFIG_FILE, type AppConfig } from './build.ts';
import { DEFAULT_VECTORS_FILE, messageBytes, type TestVector } from './vectors.ts';

const TEMPLATE_DIR = new URL('./templates/counter', import.meta.url);

export class ScaffoldError extends ModexError {}

const M64 = (1n << 64n) - 1n;
const FNV_PRIME = 0x100000001b3n;

const readBE = (b: Uint8Array, off: number): bigint => Buffer.from(b).readBigUInt64BE(off);

/** The template STF's state transition for one message (see templates/counter/main.ts.template). */
export function counterRoot(prev: Uint8Array, msg: Uint8Array): Uint8Array {
  const count = readBE(prev, 0);
  const total = readBE(prev, 8);
  let hash = readBE(prev, 16);
  for (const byte of msg) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & M64;
  const out = Buffer.alloc(32);
  out.writeBigUInt64BE((count + 1n) & M64, 0);
  out.writeBigUInt64BE((total + BigInt(msg.length)) & M64, 8);
  out.writeBigUInt64BE(hash, 16);
  out.writeBigUInt64BE(BigInt(msg.length), 24);
  return new Uint8Array(out);
}

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/** The scaffold's test vectors, with expected roots computed by {@link counterRoot}. */
export function counterVectors(): TestVector[] {
  const cases: { name: string; inbox: string[]; initialRoot?: string }[] = [
    { name: 'one empty message', inbox: ['0x'] },
    { name: 'three messages (hex and text)', inbox: ['0x01', 'hello, modex', '0xdeadbeef'] },
    {
      name: 'a message longer than one 32-byte chunk',
      inbox: [
        'the quick brown fox jumps over the lazy dog, twice: the quick brown fox jumps over the lazy dog',
      ],
    },
    {
      name: 'continues from a non-zero root',
      initialRoot: `0x${'00'.repeat(7)}05${'00'.repeat(7)}40${'ab'.repeat(8)}${'00'.repeat(7)}10`,
      inbox: ['0x00', 'second'],
    },
  ];
  return cases.map((c) => {
    let root: Uint8Array = c.initialRoot ? messageBytes(c.initialRoot) : new Uint8Array(32);
    for (const m of c.inbox) root = counterRoot(root, messageBytes(m));
    return {
      name: c.name,
      ...(c.initialRoot ? { initial: { stateRoot: c.initialRoot } } : {}),
      inbox: c.inbox,
      expect: { stateRoot: hex(root) },
    };
  });
}

/** Creates `PARENT/NAME/` with the counter app. Refuses an existing path. Returns the app dir and its files. */
export function scaffoldApp(name: string, parent = '.'): { dir: string; files: string[] } {
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
  const fill = (t: string): string =>
    readFileSync(new URL(t, TEMPLATE_DIR), 'utf8').replaceAll('{{name}}', name);
  const config: AppConfig = { name, entry: 'main.ts', testVectors: DEFAULT_VECTORS_FILE };
  const files: Record<string, string> = {
    'main.ts': fill('main.ts.template'),
    [APP_CONFIG_FILE]: `${JSON.stringify(config, null, 2)}\n`,
    [DEFAULT_VECTORS_FILE]: `${JSON.stringify({ vectors: counterVectors() }, null, 2)}\n`,
    'README.md': fill('README.md.template'),
    '.gitignore': 'build/\n',
  };
  mkdirSync(parent, { recursive: true });
  mkdirSync(dir); // not recursive: fails if it appeared meanwhile
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text, { flag: 'wx' });
  return { dir, files: Object.keys(files) };
}
