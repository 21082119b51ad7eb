/**
 * Preimage kind 2, an EVM precompile's result (docs/machine.md §6.3), end to end: the test guest
 * guest/sdk/test/precompile_ops.ts calls bn254 add, mul, pairing and KZG point evaluation through
 * guest/sdk/precompile-oracle.ts, natively and interpreted (App.run checks they agree), with the
 * results of src/crypto/precompiles.ts. Then every kind-2 `preimage_read` step is proven on the
 * Solidity prover after the agent's `ensurePreimagePart` had L1's own precompiles compute the result
 * (differential: L1's bytes equal the TypeScript ones). Negatives: a read before loading, a lying
 * host's output, a key preimage that does not hash to the key, a failing input (status 0, no revert),
 * another precompile, and a load starved of gas.
 */
import { bn254 } from '@noble/curves/bn254.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type Abi, bytesToHex, encodeFunctionData, type Hex, hexToBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, u16 } from '../../apps/sdk/client-common.ts';
import { PRECOMPILE_PREIMAGE_KIND } from '../../apps/sdk/preimage-store.ts';
import { App, genesis } from '../../apps/sdk/run-app.ts';
import { BYTES_PER_BLOB, loadKzg, versionedHash } from '../../crypto/kzg.ts';
import { callPrecompile, precompileKey, precompileKeyPreimage } from '../../crypto/precompiles.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { PreimageOracleClient } from '../../settlement/ethereum/preimage-oracle.ts';
import { toHex } from '../../vm/wasm/hash.ts';
import { HOST_FUNCS } from '../../vm/wasm/host-abi.ts';
import { M } from '../../vm/wasm/isa.ts';
import { type GlobalState, type HostData, Machine, Status } from '../../vm/wasm/machine.ts';
import { deployOsp, type OspDeployment } from '../../vm/wasm/osp-harness.ts';
import { ensurePreimagePart } from './challenger.ts';
import { HonestClaim, type PreimagePart } from './claim.ts';
import { machineAt } from './machine-history.ts';

let l1: L1;
let osp: OspDeployment;
let oracle: PreimageOracleClient;

beforeAll(async () => {
  l1 = await startAnvil();
  osp = await deployOsp(l1);
  oracle = await PreimageOracleClient.at(l1, osp.oracle);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
});

const w = (v: bigint): Uint8Array => {
  const o = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) o[i] = Number(v & 0xffn);
  return o;
};
const P = bn254.fields.Fp.ORDER;
const G1 = concat(w(1n), w(2n));
const negG1 = concat(w(1n), w(P - 2n));
const g2 = bn254.G2.Point.BASE.toAffine();
const G2 = concat(w(g2.x.c1), w(g2.x.c0), w(g2.y.c1), w(g2.y.c0)); // EIP-197: imaginary part first

/** a valid point-evaluation input (EIP-4844) for a small blob, its proof by micro-eth-signer */
async function pointEvaluationInput(): Promise<Uint8Array> {
  const kzg = await loadKzg();
  const blob = new Uint8Array(BYTES_PER_BLOB);
  for (let i = 0; i < 6; i++) blob[i * 32 + 31] = 2 * i + 1;
  const blobHex = bytesToHex(blob);
  const commitment = hexToBytes(kzg.blobToKzgCommitment(blobHex) as Hex);
  const z = 0xabcdef0123456789n;
  const [proof, y] = kzg.computeProof(blobHex, z);
  return concat(
    hexToBytes(versionedHash(commitment)),
    w(z),
    hexToBytes(y as Hex),
    commitment,
    hexToBytes(proof as Hex),
  );
}

/** the test guest's message: (id u8 ‖ inputLen u16 ‖ input)* */
const message = (calls: [number, Uint8Array][]): Uint8Array =>
  concat(...calls.map(([id, input]) => concat(Uint8Array.of(id), u16(input.length), input)));

/** what the guest accumulates into bytes32[1] (guest/sdk/test/precompile_ops.ts) */
function expectedAcc(calls: [number, Uint8Array][]): Uint8Array {
  let acc = new Uint8Array(32);
  for (const [id, input] of calls) {
    const out = callPrecompile(id, input);
    acc = keccak_256(concat(acc, Uint8Array.of(out ? 1 : 0), out ?? new Uint8Array(0)));
  }
  return acc;
}

/** the kind-2 `preimage_read` steps of a run: [step, key (hex), offset] */
function kind2Reads(app: App, gs: GlobalState, host: HostData): [number, Hex, number][] {
  const m = new Machine(app.program, gs, host);
  const out: [number, Hex, number][] = [];
  while (m.status === Status.Running) {
    if (m.prog.ops[m.pc] === M.host && m.prog.immLo[m.pc] === HOST_FUNCS.preimage_read.id) {
      const kind = m.stackLo[m.sp - 4] >>> 0;
      const hashPtr = m.stackLo[m.sp - 3] >>> 0;
      const offset = m.stackLo[m.sp - 2] >>> 0;
      if (kind === PRECOMPILE_PREIMAGE_KIND)
        out.push([m.steps, bytesToHex(m.memory.subarray(hashPtr, hashPtr + 32)), offset]);
    }
    m.run(1);
  }
  expect(m.status).toBe(Status.Finished);
  return out;
}

describe('precompile preimage oracle (kind 2)', () => {
  it('the four precompiles through the guest: native = interpreter = TypeScript, every kind-2 read proven on L1', async () => {
    const calls: [number, Uint8Array][] = [
      [0x06, concat(G1, G1)], // 2G
      [0x07, concat(G1, w(0x1234567n))],
      [0x08, concat(G1, G2, negG1, G2)], // e(G, Q)·e(−G, Q) = 1
      [0x0a, await pointEvaluationInput()],
      [0x06, concat(w(1n), w(3n), G1)], // not on the curve: fails, status 0
    ];
    const app = new App('sdk/test/precompile_ops.ts');
    const msg = message(calls);
    const run = app.run(genesis(), msg); // native and interpreted, checked equal
    expect(toHex(run.globalState.bytes32[1])).toBe(toHex(expectedAcc(calls)));
    // the pairing holds, the failing call failed
    expect(callPrecompile(0x08, calls[2][1])?.[31]).toBe(1);
    expect(callPrecompile(0x06, calls[4][1])).toBeUndefined();

    const host: HostData = {
      inboxMessage: (pos) => (pos === 0n ? msg : undefined),
      preimage: (kind, h) => app.store.get(h, kind),
    };
    const reads = kind2Reads(app, genesis(), host);
    // one read per 32 bytes of status ‖ output, then the short one: 3 + 3 + 2 + 3 + 1
    expect(reads.length).toBe(12);
    const claim = new HonestClaim({ prog: app.program, heights: [1, 24], host }, genesis(), 1, [genesis()]);
    const loads: string[] = [];
    const stepGas: bigint[] = [];
    for (const [i, [step, key, offset]] of reads.entries()) {
      const { proof, needs } = claim.proveStep(0, step);
      const part = needs.preimage as PreimagePart;
      expect({ kind: part.kind, hash: part.hash, offset: part.offset }).toEqual({
        kind: 2,
        hash: key,
        offset,
      });
      const call = calls.find(([id, input]) => bytesToHex(precompileKey(id, input)) === key);
      expect(call, `read ${i}: a key of one of the calls`).toBeDefined();
      const [id, input] = call as [number, Uint8Array];
      expect(toHex(part.preimage)).toBe(toHex(precompileKeyPreimage(id, input)));
      const pre = machineAt(app.program, genesis(), host, step);
      const post = toHex(machineAt(app.program, genesis(), host, step + 1).hash());
      const prove = () => osp.proveOnChain(pre.module.moduleRoot, pre.hash(), proof);
      const first = offset === 0;
      if (first) await expect(prove(), `read ${i} before loading`).rejects.toThrow(/UnknownPreimage/);
      const tx = await ensurePreimagePart(oracle, l1, part);
      expect(tx !== undefined, `read ${i}: loaded once per key`).toBe(first);
      if (tx) loads.push(`0x${id.toString(16).padStart(2, '0')} ${tx.gasUsed}`);
      expect(await prove(), `read ${i}`).toBe(post);
      stepGas.push(await osp.gasOf(pre.module.moduleRoot, pre.hash(), proof));
      // differential: what L1's precompile gave is what the TypeScript host computed
      const ts = app.store.get(hexToBytes(key), 2) as Uint8Array;
      expect(await oracle.readPreimage(2, key, offset), `read ${i}`).toBe(
        bytesToHex(ts.subarray(Math.min(offset, ts.length), offset + 32)),
      );
    }
    const g = stepGas.slice().sort((a, b) => (a < b ? -1 : 1));
    console.log(
      `kind-2 loads (gas used): ${loads.join(', ')}; one-step proof of a kind-2 read (tx gas): min ${g[0]} max ${g[g.length - 1]} over ${g.length}`,
    );
    expect(g[g.length - 1]).toBeLessThan(250_000n);
  }, 180_000);

  it("differential: the TypeScript precompiles equal L1's (anvil eth_call) on valid, edge and failing inputs", async () => {
    const R = bn254.G1.Point.Fn.ORDER;
    const g1 = (k: bigint): Uint8Array => {
      const a = bn254.G1.Point.BASE.multiply(k).toAffine();
      return concat(w(a.x), w(a.y));
    };
    const g2k = (k: bigint): Uint8Array => {
      const a = bn254.G2.Point.BASE.multiply(k).toAffine();
      return concat(w(a.x.c1), w(a.x.c0), w(a.y.c1), w(a.y.c0));
    };
    const inf1 = new Uint8Array(64);
    const offCurve = concat(w(1n), w(3n));
    const bigX = concat(w(P + 1n), w(2n));
    const points = [G1, negG1, g1(3n), g1(R - 1n), g1(0x1234_5678_9abc_def0_1234n), inf1, offCurve, bigX];
    const inputs: [number, Uint8Array][] = [];
    for (const a of points) for (const b of points.slice(0, 6)) inputs.push([0x06, concat(a, b)]);
    for (const n of [0, 1, 31, 64, 100, 127, 129, 200])
      inputs.push([0x06, concat(G1, g1(5n), G1).subarray(0, n)]);
    const scalars = [0n, 1n, 2n, R - 1n, R, R + 1n, (1n << 256n) - 1n, 0xdead_beef_cafe_f00d_1234n];
    for (const a of points) for (const k of scalars) inputs.push([0x07, concat(a, w(k))]);
    for (const n of [0, 32, 64, 80, 95, 97, 128])
      inputs.push([0x07, concat(g1(7n), w(9n), w(1n)).subarray(0, n)]);
    const swapped = concat(
      G2.subarray(32, 64),
      G2.subarray(0, 32),
      G2.subarray(96, 128),
      G2.subarray(64, 96),
    );
    const bigG2 = concat(w(P), G2.subarray(32));
    const pairings: Uint8Array[] = [
      new Uint8Array(0),
      concat(G1, G2),
      concat(G1, G2, negG1, G2),
      concat(g1(6n), G2, negG1, g2k(6n)),
      concat(g1(6n), G2, negG1, g2k(5n)),
      concat(g1(2n), g2k(3n), g1(3n), g2k(2n), g1(R - 12n), G2),
      concat(inf1, G2),
      concat(G1, new Uint8Array(128)),
      concat(G1, swapped),
      concat(G1, bigG2),
      concat(offCurve, G2),
      concat(G1, G2).subarray(0, 191),
      concat(G1, G2, Uint8Array.of(0)),
    ];
    for (const p of pairings) inputs.push([0x08, p]);
    const pe = await pointEvaluationInput();
    const flip = (b: Uint8Array, i: number) => {
      const c = b.slice();
      c[i] ^= 1;
      return c;
    };
    // the zero polynomial: commitment and proof at infinity, y = 0 (valid for any z)
    const inf48 = new Uint8Array(48);
    inf48[0] = 0xc0;
    const zeroVh = hexToBytes(versionedHash(inf48));
    inputs.push(
      [0x0a, pe],
      [0x0a, flip(pe, 95)],
      [0x0a, flip(pe, 3)],
      [0x0a, flip(pe, 150)],
      [0x0a, flip(pe, 100)],
      [0x0a, pe.subarray(0, 191)],
      [0x0a, concat(pe, Uint8Array.of(0))],
      [
        0x0a,
        concat(
          pe.subarray(0, 32),
          w(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n),
          pe.subarray(64),
        ),
      ],
      [0x0a, concat(zeroVh, w(5n), w(0n), inf48, inf48)],
      [0x0a, concat(zeroVh, w(5n), w(1n), inf48, inf48)],
    );
    // malformed G1 encodings (EIP-4844 Bytes48: compressed, canonical), the versioned hash matching
    const withCommitment = (c: Uint8Array) =>
      concat(hexToBytes(versionedHash(c)), pe.subarray(32, 96), c, pe.subarray(144));
    const commitment = pe.subarray(96, 144);
    const edit = (b: Uint8Array, f: (c: Uint8Array) => void) => {
      const c = b.slice();
      f(c);
      return c;
    };
    const infGarbage = edit(inf48, (c) => {
      c[47] = 1;
    });
    const bigXc = edit(new Uint8Array(48).fill(0xff), (c) => {
      c[0] = 0x9f; // compressed, x ≥ p
    });
    for (const c of [
      edit(commitment, (c) => {
        c[0] &= 0x7f; // compression flag cleared
      }),
      edit(commitment, (c) => {
        c[0] ^= 0x20; // the other y: a valid point, not the commitment the proof is for
      }),
      infGarbage,
      bigXc,
    ])
      inputs.push([0x0a, withCommitment(c)]);
    for (const q of [
      edit(pe.subarray(144), (c) => {
        c[0] &= 0x7f;
      }),
      infGarbage,
      bigXc,
    ])
      inputs.push([0x0a, concat(pe.subarray(0, 144), q)]);
    let failures = 0;
    for (const [id, input] of inputs) {
      let l1Out: Hex | undefined;
      try {
        const r = await l1.publicClient.call({
          to: `0x${id.toString(16).padStart(40, '0')}`,
          data: bytesToHex(input),
          gas: 1_000_000n,
        });
        l1Out = r.data ?? '0x';
      } catch {
        l1Out = undefined;
      }
      const ts = callPrecompile(id, input);
      if (!ts) failures++;
      expect(ts && bytesToHex(ts), `0x${id.toString(16)} on ${bytesToHex(input)}`).toBe(l1Out);
    }
    // both outcomes were exercised on every precompile
    expect(failures).toBeGreaterThan(20);
    expect(inputs.length - failures).toBeGreaterThan(60);
  }, 120_000);

  it('a lying host, a wrong key preimage, a failing input, another precompile, a starved load', async () => {
    const input = concat(G1, w(7n));
    const calls: [number, Uint8Array][] = [[0x07, input]];
    const app = new App('sdk/test/precompile_ops.ts');
    const msg = message(calls);
    app.run(genesis(), msg);
    const host: HostData = {
      inboxMessage: (pos) => (pos === 0n ? msg : undefined),
      preimage: (kind, h) => app.store.get(h, kind),
    };
    const [[step, key]] = kind2Reads(app, genesis(), host);
    const { proof, needs } = new HonestClaim({ prog: app.program, heights: [1, 24], host }, genesis(), 1, [
      genesis(),
    ]).proveStep(0, step);
    const part = needs.preimage as PreimagePart;
    const pre = machineAt(app.program, genesis(), host, step);
    const prove = () => osp.proveOnChain(pre.module.moduleRoot, pre.hash(), proof);

    // a key preimage that does not hash to the key: refused before anything is sent
    const other = precompileKeyPreimage(0x07, concat(G1, w(8n)));
    await expect(ensurePreimagePart(oracle, l1, { ...part, preimage: other })).rejects.toThrow(
      /not the key preimage/,
    );
    // loading another input's result does not answer this key
    await oracle.loadPrecompilePreimage(0x07, other.subarray(20));
    await expect(prove()).rejects.toThrow(/UnknownPreimage/);
    await ensurePreimagePart(oracle, l1, part);
    const honest = toHex(machineAt(app.program, genesis(), host, step + 1).hash());
    expect(await prove()).toBe(honest);

    // a host that answers a wrong output: its post-state is not what L1 computes
    const liar: HostData = {
      ...host,
      preimage: (kind, h) => {
        const r = app.store.get(h, kind);
        if (kind !== 2 || !r || bytesToHex(h) !== key) return r;
        const wrong = r.slice();
        wrong[5] ^= 1;
        return wrong;
      },
    };
    const lie = toHex(machineAt(app.program, genesis(), liar, step + 1).hash());
    expect(lie).not.toBe(honest);
    expect(await prove()).not.toBe(lie);

    // a failing input is recorded as status 0, not a revert
    const bad = concat(w(1n), w(3n), w(2n));
    const failing = await oracle.loadPrecompilePreimage(0x07, bad);
    expect(failing.receipt.status).toBe('success');
    expect(await oracle.readPreimage(2, bytesToHex(precompileKey(0x07, bad)), 0)).toBe('0x00');

    // another precompile: no kind-2 preimage, on L1 or in the client
    await expect(oracle.loadPrecompilePreimage(0x05, new Uint8Array(96))).rejects.toThrow(
      /UnsupportedPrecompile|0x06, 0x07, 0x08 and 0x0a/,
    );
    const modexp = precompileKeyPreimage(0x05, new Uint8Array(96));
    await expect(oracle.ensurePart(2, bytesToHex(keccak_256(modexp)), 0, modexp)).rejects.toThrow(
      /does not start with the address/,
    );

    // a load starved of gas reverts instead of storing a failure
    const pairing = concat(G1, G2, G1, G2); // not loaded yet (e(G, Q)² ≠ 1: output 0)
    const abi = (await getArtifact('PreimageOracle')).abi as Abi;
    await expect(
      l1.publicClient.simulateContract({
        account: l1.walletClient.account,
        address: osp.oracle,
        abi,
        functionName: 'loadPrecompilePreimage',
        args: [0x08, bytesToHex(pairing)],
        gas: 100_000n,
      }),
    ).rejects.toThrow(/NotEnoughGasForPrecompile/);
    const hash = await l1.walletClient.sendTransaction({
      to: osp.oracle,
      data: encodeFunctionData({
        abi,
        functionName: 'loadPrecompilePreimage',
        args: [0x08, bytesToHex(pairing)],
      }),
      gas: 100_000n, // the call alone needs 113,000
    });
    const receipt = await l1.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('reverted');
    const pairingKey = bytesToHex(precompileKey(0x08, pairing));
    expect(await oracle.isPartKnown(2, pairingKey, 0)).toBe(false);
    const view = (functionName: 'isKnown' | 'preimageLength', key: Hex) =>
      l1.publicClient.readContract({ address: osp.oracle, abi, functionName, args: [2, key] });
    expect(await view('isKnown', pairingKey)).toBe(false);
    await expect(view('preimageLength', pairingKey)).rejects.toThrow(/UnknownPreimage/);
    await oracle.loadPrecompilePreimage(0x08, pairing); // estimated: enough gas
    expect(await oracle.readPreimage(2, pairingKey, 0)).toBe(`0x01${'00'.repeat(31)}`);
    expect(await oracle.readPreimage(2, pairingKey, 32)).toBe('0x00');
    expect(await oracle.readPreimage(2, pairingKey, 33)).toBe('0x');
    expect(await view('isKnown', pairingKey)).toBe(true);
    expect(await view('preimageLength', pairingKey)).toBe(33n);
    expect(await view('preimageLength', bytesToHex(precompileKey(0x07, bad)))).toBe(1n);
  }, 180_000);
});
