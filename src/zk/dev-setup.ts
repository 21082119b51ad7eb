/**
 * The development trusted setup (docs/validity.md §4): INSECURE Groth16 keys computed directly from
 * known secrets τ, α, β, δ (γ = 1, as snarkjs), derived from a public label. Anyone can forge proofs
 * with these keys; they exist so that tests and devnets get keys in seconds instead of the 28 min
 * `snarkjs powersoftau prepare phase2` takes for 2^16. Production keys come from a ceremony's .ptau
 * (ptau-setup.ts).
 *
 * The .zkey holds what snarkjs's `zkey new` would compute from a prepared .ptau made with the same
 * secrets, then a contribution δ: for each wire s, with u_s, v_s, w_s its QAP polynomials (A, B, C
 * columns interpolated over the domain, plus snarkjs's extra rows A[nConstraints + i][i] = 1 for the
 * public signals), A_s = u_s(τ)·G1, B1_s = v_s(τ)·G1, B2_s = v_s(τ)·G2, IC_s = (β u_s + α v_s + w_s)(τ)·G1
 * (public s), C_s = (β u_s + α v_s + w_s)(τ)/δ·G1 (private s), and H_i = L'_{2i+1}(τ)/δ·G1 with L' the
 * Lagrange basis of the domain of twice the size (snarkjs's prover evaluates A·B − C on its odd points).
 * Every point is a fixed-base multiplication of a generator, done in batches on ffjavascript's
 * WebAssembly curve and worker threads (the same code snarkjs uses).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type VerificationKey, zKey } from 'snarkjs';
import { cacheDir, contentHash, writeAtomically } from './cache.ts';
import { type Curve, getCurve } from './curve.ts';
import { ZkInputError, ZkSetupError } from './errors.ts';
import { lagrangeAt, mod } from './field.ts';
import { BN254_R, type R1cs, readR1cs } from './r1cs.ts';
import { coefEntry, encodeZkey, le32 } from './zkey-writer.ts';

/** The public label the development secrets are derived from (change it and every dev key changes). */
export const DEV_SECRET_LABEL = 'modex INSECURE development setup v1';

export interface SetupOptions {
  /** cache directory (default node_modules/.cache/modex-zk) */
  cacheDir?: string;
  /** progress lines */
  log?: (line: string) => void;
  /** the label the secrets derive from (default DEV_SECRET_LABEL) */
  label?: string;
}

export interface Keys {
  /** path of the proving key (.zkey) */
  zkey: string;
  vkey: VerificationKey;
  vkeyPath: string;
  /** true for the development setup: anyone can forge proofs */
  insecure: boolean;
  /** the domain: 2^power ≥ constraints + public signals + 1 */
  power: number;
  hash: string;
  cached: boolean;
  ms: number;
}

/** The development secrets for a circuit: sha256(label ‖ name ‖ r1cs hash) mod r, per name. */
export function devSecrets(
  label: string,
  r1csHash: string,
): { tau: bigint; alpha: bigint; beta: bigint; delta: bigint } {
  const s = (name: string) => {
    const h = sha256(new TextEncoder().encode(`${label}\0${name}\0${r1csHash}`));
    const v = mod(BigInt(`0x${Buffer.from(h).toString('hex')}`));
    return v === 0n ? 1n : v;
  };
  return { tau: s('tau'), alpha: s('alpha'), beta: s('beta'), delta: s('delta') };
}

/** snarkjs's domain power: the smallest 2^p ≥ constraints + public signals + 1. */
export function domainPower(nConstraints: number, nPublic: number): number {
  const rows = nConstraints + nPublic + 1;
  let p = 0;
  while (2 ** p < rows) p++;
  return p;
}

/** INSECURE development keys for a compiled circuit (cached by the r1cs's content and the label). */
export async function devSetup(r1csPath: string, opts: SetupOptions = {}): Promise<Keys> {
  const t0 = performance.now();
  if (!existsSync(r1csPath))
    throw new ZkInputError(`r1cs ${r1csPath} does not exist: compile the circuit first`);
  const bytes = new Uint8Array(readFileSync(r1csPath));
  const label = opts.label ?? DEV_SECRET_LABEL;
  const r1csHash = contentHash('r1cs', [bytes]);
  const hash = contentHash('modex-zk-dev-setup-v1', [label, r1csHash]).slice(0, 32);
  const name = basename(r1csPath, '.r1cs');
  const dir = cacheDir(opts.cacheDir);
  const zkeyPath = join(dir, `INSECURE-dev-${name}-${hash}.zkey`);
  const vkeyPath = join(dir, `INSECURE-dev-${name}-${hash}.vkey.json`);
  const r1cs = readR1cs(bytes);
  if (r1cs.prime !== BN254_R)
    throw new ZkInputError(`${r1csPath} is not over BN254's scalar field: compile with circom -p bn128`);
  const nPublic = r1cs.nPubOut + r1cs.nPubIn;
  const power = domainPower(r1cs.nConstraints, nPublic);
  const cached = existsSync(zkeyPath) && existsSync(vkeyPath);
  if (cached) opts.log?.(`INSECURE dev keys for ${name}: cached (${hash.slice(0, 12)})`);
  else {
    opts.log?.(
      `INSECURE dev keys for ${name}: ${r1cs.nConstraints} constraints, 2^${power} domain, secrets from the public label "${label}"…`,
    );
    const zkey = await computeDevZkey(r1cs, devSecrets(label, r1csHash), power, opts.log);
    await writeAtomically(zkeyPath, async (tmp) => writeFileSync(tmp, zkey));
    const vkey = await zKey.exportVerificationKey(zkeyPath);
    await writeAtomically(vkeyPath, async (tmp) => writeFileSync(tmp, JSON.stringify(vkey, null, 1)));
  }
  const ms = performance.now() - t0;
  if (!cached) opts.log?.(`INSECURE dev keys for ${name}: done in ${(ms / 1000).toFixed(1)} s → ${zkeyPath}`);
  const vkey = JSON.parse(readFileSync(vkeyPath, 'utf8')) as VerificationKey;
  return { zkey: zkeyPath, vkey, vkeyPath, insecure: true, power, hash, cached, ms };
}

/** The .zkey bytes for `r1cs` with the given secrets (see the file comment). */
export async function computeDevZkey(
  r1cs: R1cs,
  secrets: { tau: bigint; alpha: bigint; beta: bigint; delta: bigint },
  power: number,
  log?: (line: string) => void,
): Promise<Uint8Array> {
  const curve = await getCurve();
  const { tau, alpha, beta, delta } = secrets;
  const n = 2 ** power;
  if (power + 1 > curve.Fr.s)
    throw new ZkSetupError(`circuit too large: 2^${power} rows exceed BN254's 2-adicity`);
  const omega = (p: number): bigint => BigInt(curve.Fr.toObject(curve.Fr.w[p]));
  const nPublic = r1cs.nPubOut + r1cs.nPubIn;
  const nVars = r1cs.nWires;
  if (r1cs.nConstraints + nPublic + 1 > n) throw new ZkSetupError('domain too small');

  const L = lagrangeAt(tau, n, omega(power));
  const u: bigint[] = new Array(nVars).fill(0n);
  const v: bigint[] = new Array(nVars).fill(0n);
  const w: bigint[] = new Array(nVars).fill(0n);
  const coefs: Uint8Array[] = [];
  const addLc = (acc: bigint[], lc: R1cs['constraints'][number]['a'], l: bigint) => {
    for (let k = 0; k < lc.wires.length; k++)
      acc[lc.wires[k]] = (acc[lc.wires[k]] + lc.coefs[k] * l) % BN254_R;
  };
  r1cs.constraints.forEach((con, c) => {
    addLc(u, con.a, L[c]);
    addLc(v, con.b, L[c]);
    addLc(w, con.c, L[c]);
    for (let k = 0; k < con.a.wires.length; k++) coefs.push(coefEntry(0, c, con.a.wires[k], con.a.coefs[k]));
    for (let k = 0; k < con.b.wires.length; k++) coefs.push(coefEntry(1, c, con.b.wires[k], con.b.coefs[k]));
  });
  // snarkjs's extra rows binding the public signals (zkey_new.js, processConstraints)
  for (let s = 0; s <= nPublic; s++) {
    u[s] = (u[s] + L[r1cs.nConstraints + s]) % BN254_R;
    coefs.push(coefEntry(0, r1cs.nConstraints + s, s, 1n));
  }
  const count = new Uint8Array(4);
  new DataView(count.buffer).setUint32(0, coefs.length, true);
  const coefSection = Buffer.concat([count, ...coefs]);

  const deltaInv = modInverse(delta);
  const k = (s: number) => (beta * u[s] + alpha * v[s] + w[s]) % BN254_R;
  const icScalars = Array.from({ length: nPublic + 1 }, (_, s) => k(s));
  const cScalars = Array.from(
    { length: nVars - nPublic - 1 },
    (_, i) => (k(nPublic + 1 + i) * deltaInv) % BN254_R,
  );
  const L2 = lagrangeAt(tau, 2 * n, omega(power + 1));
  const hScalars = Array.from({ length: n }, (_, i) => (L2[2 * i + 1] * deltaInv) % BN254_R);

  const total = 3 * nVars + nVars + n + nPublic + 1;
  let done = 0;
  let lastPct = -1;
  const progress = (m: number) => {
    done += m;
    const pct = Math.floor((100 * done) / total);
    if (pct >= lastPct + 10) {
      lastPct = pct;
      log?.(`  INSECURE dev setup: ${pct}% of ${total} points`);
    }
  };
  const g1 = (xs: bigint[]) => fixedBaseMul(curve, 'G1', xs, progress);
  const ic = await g1(icScalars);
  const a = await g1(u);
  const b1 = await g1(v);
  const b2 = await fixedBaseMul(curve, 'G2', v, progress);
  const c = await g1(cScalars);
  const h = await g1(hScalars);
  const g1s = await fixedBaseMul(curve, 'G1', [alpha, beta, delta], () => {});
  const alpha1 = g1s.subarray(0, 64);
  const beta1 = g1s.subarray(64, 128);
  const delta1 = g1s.subarray(128, 192);
  const g2 = await fixedBaseMul(curve, 'G2', [beta, 1n, delta], () => {});
  const beta2 = g2.subarray(0, 128);
  const gamma2 = g2.subarray(128, 256);
  const delta2 = g2.subarray(256, 384);

  // a circuit hash for section 10 (snarkjs hashes the key's points; zkey verify against a .ptau is
  // not possible for dev keys anyway, there is no ceremony to verify against)
  const csHash = blake2b(Buffer.concat([alpha1, beta1, beta2, gamma2, delta1, delta2, ic, a, b1, b2, c, h]), {
    dkLen: 64,
  });
  return encodeZkey({
    nVars,
    nPublic,
    domainSize: n,
    alpha1,
    beta1,
    beta2,
    gamma2,
    delta1,
    delta2,
    coefs: coefSection,
    ic,
    a,
    b1,
    b2,
    c,
    h,
    csHash,
  });
}

const modInverse = (x: bigint): bigint => {
  let r = 1n;
  let b = mod(x);
  let e = BN254_R - 2n;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % BN254_R;
    b = (b * b) % BN254_R;
    e >>= 1n;
  }
  return r;
};

const CHUNK = 4096;
const WINDOWS = 32; // 8-bit windows of a 256-bit scalar
/** the generators' tables (they depend on nothing else) */
const TABLES = new Map<'G1' | 'G2', Uint8Array>();

/**
 * The fixed-base table of a group's generator G: entry (w, d) = d·2^(8w)·G, affine LEM, for
 * w < 32 and d < 256 (entry d = 0 is the zero point, all zero bytes); one task on a worker, one
 * batched conversion to affine.
 */
async function fixedBaseTable(curve: Curve, group: 'G1' | 'G2'): Promise<Uint8Array> {
  const G = curve[group];
  const sIn = G.F.n8 * 2;
  const sMid = G.F.n8 * 3;
  const prefix = group === 'G1' ? 'g1m' : 'g2m';
  const n = WINDOWS * 256;
  const entry = (w: number, d: number) => ({ var: 1, offset: (w * 256 + d) * sMid });
  const base = { var: 0 };
  const task: unknown[] = [
    { cmd: 'ALLOCSET', var: 0, buff: G.g },
    { cmd: 'ALLOC', var: 1, len: n * sMid },
  ];
  for (let w = 0; w < WINDOWS; w++) {
    task.push({ cmd: 'CALL', fnName: `${prefix}_zero`, params: [entry(w, 0)] });
    for (let d = 1; d < 256; d++)
      task.push({ cmd: 'CALL', fnName: `${prefix}_add`, params: [entry(w, d - 1), base, entry(w, d)] });
    task.push({ cmd: 'CALL', fnName: `${prefix}_add`, params: [entry(w, 255), base, base] });
  }
  task.push({ cmd: 'CALL', fnName: `${prefix}_batchToAffine`, params: [{ var: 1 }, { val: n }, { var: 1 }] });
  task.push({ cmd: 'GET', out: 0, var: 1, len: n * sIn });
  const res = (await curve.tm.queueAction(task)) as Uint8Array[];
  return res[0];
}

/**
 * scalars[i]·G for G the group's generator, as affine LEM points (a zero scalar gives the zero point,
 * all zero bytes, as snarkjs writes it): per point, one mixed addition of a table entry per nonzero
 * byte of the scalar (≈ 32, against ≈ 380 doublings and additions of a plain scalar multiplication),
 * in chunks on the curve's worker threads.
 */
async function fixedBaseMul(
  curve: Curve,
  group: 'G1' | 'G2',
  scalars: bigint[],
  progress: (n: number) => void,
): Promise<Uint8Array> {
  const G = curve[group];
  const sIn = G.F.n8 * 2;
  const sMid = G.F.n8 * 3;
  let table = TABLES.get(group);
  if (!table) {
    table = await fixedBaseTable(curve, group);
    TABLES.set(group, table);
  }
  const out = new Uint8Array(scalars.length * sIn);
  const nonzero = scalars.flatMap((s, i) => (s === 0n ? [] : [i]));
  const prefix = group === 'G1' ? 'g1m' : 'g2m';
  const sc = new Uint8Array(32);
  const jobs: Promise<void>[] = [];
  for (let start = 0; start < nonzero.length; start += CHUNK) {
    const idx = nonzero.slice(start, start + CHUNK);
    const task: unknown[] = [
      { cmd: 'ALLOCSET', var: 0, buff: table },
      { cmd: 'ALLOC', var: 1, len: idx.length * sMid },
    ];
    for (let j = 0; j < idx.length; j++) {
      const acc = { var: 1, offset: j * sMid };
      task.push({ cmd: 'CALL', fnName: `${prefix}_zero`, params: [acc] });
      le32(scalars[idx[j]], sc);
      for (let w = 0; w < WINDOWS; w++)
        if (sc[w] !== 0)
          task.push({
            cmd: 'CALL',
            fnName: `${prefix}_addMixed`,
            params: [acc, { var: 0, offset: (w * 256 + sc[w]) * sIn }, acc],
          });
    }
    task.push({
      cmd: 'CALL',
      fnName: `${prefix}_batchToAffine`,
      params: [{ var: 1 }, { val: idx.length }, { var: 1 }],
    });
    task.push({ cmd: 'GET', out: 0, var: 1, len: idx.length * sIn });
    jobs.push(
      curve.tm.queueAction(task).then((res: Uint8Array[]) => {
        const pts = res[0];
        for (let j = 0; j < idx.length; j++) out.set(pts.subarray(j * sIn, (j + 1) * sIn), idx[j] * sIn);
        progress(idx.length);
      }),
    );
  }
  await Promise.all(jobs);
  progress(scalars.length - nonzero.length);
  return out;
}
