/**
 * guest/sdk/zk (BN254 Fr, Poseidon, BabyJubJub, EdDSA-Poseidon; docs/validity.md §2.4) through the
 * test guest guest/sdk/test/zk_ops.ts, differentially against circomlibjs (src/apps/ztoken/crypto.ts)
 * on random inputs: natively for the bulk, and one mixed batch in the step interpreter too (App.run
 * checks that both engines agree). The generated files must be what scripts/gen-zk.mjs writes.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, genesis } from '../../../src/apps/sdk/run-app.ts';
import { FIELD_P as P, zkCrypto } from '../../../src/apps/ztoken/crypto.ts';
import { PACKAGE_ROOT } from '../../../src/util/package-root.ts';

const app = new App('sdk/test/zk_ops.ts');

const be = (x: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
};
const fromBe = (b: Uint8Array): bigint => b.reduce((x, v) => (x << 8n) | BigInt(v), 0n);
const ALL_FF = (1n << 256n) - 1n;

/** deterministic random 256-bit values below `bound` */
function rng(seed: number) {
  let s = BigInt(seed) | 1n;
  const next = () => {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    return s & 0xffffffffffffffffn;
  };
  return (bound: bigint = P) => {
    let x = 0n;
    for (let i = 0; i < 4; i++) x = (x << 64n) | next();
    return x % bound;
  };
}

interface Case {
  bytes: Uint8Array;
  outLen: number;
  expect: Uint8Array;
}

function run(cases: Case[], interpret = false) {
  const msg = Buffer.concat(cases.map((c) => c.bytes));
  const r = app.run(genesis(), msg, { interpret });
  const out = app.store.get(r.globalState.bytes32[0]);
  if (!out) throw new Error('the guest hinted no results');
  let at = 0;
  const got = cases.map((c) => {
    const g = out.subarray(at, at + c.outLen);
    at += c.outLen;
    return Buffer.from(g).toString('hex');
  });
  expect(at).toBe(out.length);
  expect(got).toEqual(cases.map((c) => Buffer.from(c.expect).toString('hex')));
  return r;
}

const op = (code: number, ...args: bigint[]) => Buffer.concat([Uint8Array.of(code), ...args.map(be)]);
const bit = (v: boolean) => Uint8Array.of(v ? 1 : 0);

async function cases(seed: number, n: number): Promise<Case[]> {
  const z = await zkCrypto();
  const r = rng(seed);
  const out: Case[] = [];
  const modInv = (a: bigint) => {
    let [res, b, e] = [1n, a % P, P - 2n];
    while (e > 0n) {
      if (e & 1n) res = (res * b) % P;
      b = (b * b) % P;
      e >>= 1n;
    }
    return res;
  };
  const edge = [0n, 1n, 2n, P - 1n, P - 2n, 1n << 253n];
  for (let i = 0; i < n; i++) {
    const a = i < edge.length ? edge[i] : r();
    const b = i < edge.length ? edge[edge.length - 1 - i] : r();
    out.push({ bytes: op(1, a, b), outLen: 32, expect: be((a * b) % P) });
    out.push({ bytes: op(2, a, b), outLen: 32, expect: be((a + b) % P) });
    out.push({ bytes: op(3, a, b), outLen: 32, expect: be((((a - b) % P) + P) % P) });
    out.push({ bytes: op(4, a), outLen: 32, expect: be(modInv(a)) });
  }
  // operands ≥ p are refused
  out.push({ bytes: op(1, P, 1n), outLen: 32, expect: be(ALL_FF) });
  out.push({ bytes: op(2, 1n, ALL_FF), outLen: 32, expect: be(ALL_FF) });
  for (const w of [2, 4, 5, 7])
    for (let i = 0; i < n; i++) {
      const xs = Array.from({ length: w }, (_, j) => (i === 0 ? BigInt(j) : i === 1 ? P - 1n : r()));
      out.push({
        bytes: Buffer.concat([Uint8Array.of(5, w), ...xs.map(be)]),
        outLen: 32,
        expect: be(z.poseidon(xs)),
      });
    }
  // signatures: good ones, then each part altered
  for (let i = 0; i < n; i++) {
    const prv = be(r(1n << 256n));
    const A = z.publicKey(prv);
    const msg = r();
    const sig = z.signPoseidon(prv, msg);
    const v = (m: bigint, r8: readonly [bigint, bigint], s: bigint, a: readonly [bigint, bigint]) => {
      const inField = [m, ...r8, ...a].every((x) => x < P);
      const ok = inField && z.verifyPoseidon(m, { R8: r8, S: s }, a);
      return { bytes: op(8, m, r8[0], r8[1], s, a[0], a[1]), outLen: 1, expect: bit(ok) };
    };
    out.push(v(msg, sig.R8, sig.S, A));
    out.push(v(msg + 1n, sig.R8, sig.S, A));
    out.push(v(msg, sig.R8, (sig.S + 1n) % z.subOrder, A));
    out.push(v(msg, sig.R8, sig.S + z.subOrder, A)); // S ≥ l
    out.push(v(msg, [sig.R8[0], (sig.R8[1] + 1n) % P], sig.S, A)); // R8 off the curve
    out.push(v(msg, sig.R8, sig.S, [A[0], (A[1] + 1n) % P])); // A off the curve
    out.push(v(msg, sig.R8, sig.S, [(P - A[0]) % P, A[1]])); // −A: on the curve, the wrong key
    out.push(v(msg, [sig.R8[0] + P, sig.R8[1]], sig.S, A)); // R8x ≥ p
    // on the curve / subgroup: keys, their negation's x, a low-order point (0, −1), non-points
    for (const [x, y] of [A, [P - A[0], A[1]] as const, [0n, P - 1n] as const, [A[0], A[1] + 1n] as const]) {
      const yy = y % P;
      const on = z.verifyPoseidon !== undefined && onCurveRef(x, yy);
      out.push({ bytes: op(6, x, yy), outLen: 1, expect: bit(on) });
      out.push({ bytes: op(7, x, yy), outLen: 1, expect: bit(on && z.isAccountKey([x, yy])) });
    }
    // k·A
    const k = r(1n << 256n);
    const [kx, ky] = mulRef(A, k);
    out.push({ bytes: op(9, A[0], A[1], k), outLen: 64, expect: Buffer.concat([be(kx), be(ky)]) });
  }
  return out;
}

// a reference BabyJubJub over bigints (affine, complete addition)
const CA = 168700n;
const CD = 168696n;
const mod = (x: bigint) => ((x % P) + P) % P;
const inv = (a: bigint) => {
  let [res, b, e] = [1n, mod(a), P - 2n];
  while (e > 0n) {
    if (e & 1n) res = (res * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return res;
};
function onCurveRef(x: bigint, y: bigint): boolean {
  const x2 = (x * x) % P;
  const y2 = (y * y) % P;
  return mod(CA * x2 + y2) === mod(1n + CD * x2 * y2);
}
function addRef(p: readonly [bigint, bigint], q: readonly [bigint, bigint]): [bigint, bigint] {
  const t = mod(CD * p[0] * q[0] * p[1] * q[1]);
  return [
    mod((p[0] * q[1] + p[1] * q[0]) * inv(1n + t)),
    mod((p[1] * q[1] - CA * p[0] * q[0]) * inv(1n - t)),
  ];
}
function mulRef(p: readonly [bigint, bigint], k: bigint): [bigint, bigint] {
  let acc: [bigint, bigint] = [0n, 1n];
  let b: [bigint, bigint] = [p[0], p[1]];
  for (; k > 0n; k >>= 1n) {
    if (k & 1n) acc = addRef(acc, b);
    b = addRef(b, b);
  }
  return acc;
}

describe('guest/sdk/zk against circomlibjs', () => {
  it('the generated files are what scripts/gen-zk.mjs writes', () => {
    execFileSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'gen-zk.mjs'), '--check'], {
      stdio: 'pipe',
    });
  });

  it('field operations, Poseidon(2, 4, 5, 7), curve checks and signatures on random inputs (native)', async () => {
    run(await cases(1, 24));
  });

  it('a mixed batch agrees natively and interpreted', async () => {
    const all = await cases(7, 2);
    // one of each kind: mul, add, sub, inv, poseidon of each width, a good and a bad signature, k·A
    const r = run(all.filter((_, i) => i % 3 === 0 || all[i].bytes[0] === 8), true);
    expect(r.steps).toBeGreaterThan(0);
  });
});
