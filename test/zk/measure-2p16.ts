/**
 * Measures the zk toolchain at a 2^16 domain (docs/validity.md §4): compile, INSECURE dev setup,
 * prove, verify. Run: `npx tsx test/zk/measure-2p16.ts [--fresh]` (--fresh: a throwaway cache).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCircuit } from '../../src/zk/compile.ts';
import { releaseCurve } from '../../src/zk/curve.ts';
import { devSetup } from '../../src/zk/dev-setup.ts';
import { prove, verify } from '../../src/zk/prove.ts';

const fresh = process.argv.includes('--fresh');
const cache = fresh ? mkdtempSync(join(tmpdir(), 'modex-zk-measure-')) : undefined;
const log = (l: string) => console.log(l);
const c = await compileCircuit('test/zk/squarings-2p16.circom', { log, cacheDir: cache });
const k = await devSetup(c.r1cs, { log, cacheDir: cache });
const p = await prove(c.wasm, k.zkey, { a: 3, c: 7 });
const ok = await verify(k.vkey, p.publicSignals, p.proof);
console.log(
  JSON.stringify({
    constraints: c.constraints,
    power: k.power,
    compile_ms: Math.round(c.ms),
    compile_cached: c.cached,
    dev_setup_ms: Math.round(k.ms),
    dev_setup_cached: k.cached,
    prove_ms: Math.round(p.ms),
    verified: ok,
  }),
);
await releaseCurve();
