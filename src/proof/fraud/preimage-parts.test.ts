/**
 * One-step proofs of `preimage_read` on L1 for both preimage kinds (docs/machine.md §6, §7.5): the
 * claim names the part a step reads (`StepNeeds.preimage`), the agent's `ensurePreimagePart` loads
 * it into the PreimageOracle (a blob field element with its KZG proof checked by the point-evaluation
 * precompile; one part of a > 40 KB keccak preimage), and only then does the OneStepProver accept
 * the step, with the interpreter's post-state. Before the part is loaded the proof reverts.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stf, watBytes } from '../../../test/wasm/wat.ts';
import { blobCommitment, versionedHash } from '../../crypto/kzg.ts';
import { encodeBlobs } from '../../da/l1-blob/blob-codec.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { PreimageOracleClient } from '../../settlement/ethereum/preimage-oracle.ts';
import { toHex } from '../../vm/wasm/hash.ts';
import { HOST_FUNCS } from '../../vm/wasm/host-abi.ts';
import { M } from '../../vm/wasm/isa.ts';
import { type GlobalState, type HostData, Machine, Status } from '../../vm/wasm/machine.ts';
import { deployOsp, type OspDeployment } from '../../vm/wasm/osp-harness.ts';
import { compileProgram } from '../../vm/wasm/program.ts';
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

const zero = (): GlobalState => ({ bytes32: [new Uint8Array(32), new Uint8Array(32)], u64: [0n, 0n] });

/** the steps at which the machine executes `preimage_read` */
function preimageReadSteps(prog: ReturnType<typeof compileProgram>, host: HostData): number[] {
  const m = new Machine(prog, zero(), host);
  const steps: number[] = [];
  while (m.status === Status.Running) {
    if (m.prog.ops[m.pc] === M.host && m.prog.immLo[m.pc] === HOST_FUNCS.preimage_read.id)
      steps.push(m.steps);
    m.run(1);
  }
  return steps;
}

describe('one-step proofs of preimage_read after the agent loads the part', () => {
  it('kind 1 (blob elements) and kind 0 (parts of a 48 KB preimage); reverts while the part is not loaded', async () => {
    const blob = encodeBlobs(Uint8Array.from({ length: 5000 }, (_, i) => (i * 13 + 1) & 0xff))[0];
    blob.set(
      Uint8Array.from({ length: 31 }, (_, i) => 0x60 + i),
      4095 * 32 + 1,
    ); // a non-zero last element
    const vh = versionedHash(await blobCommitment(blob));
    const big = Uint8Array.from({ length: 48 * 1024 + 7 }, (_, i) => (i * 31 + 7) & 0xff);
    const bigHash = keccak_256(big);
    const host: HostData = {
      inboxMessage: () => undefined,
      preimage: (kind, h) =>
        kind === 1 && bytesToHex(h) === vh
          ? blob
          : kind === 0 && toHex(h) === toHex(bigHash)
            ? big
            : undefined,
    };
    const reads: [kind: number, hashAt: number, offset: number, dst: number][] = [
      [1, 512, 7 * 32, 1024], // blob element 7
      [1, 512, 4095 * 32, 1056], // the last element
      [1, 512, 131_072, 1088], // past the end: 0 bytes, nothing to load
      [0, 544, 40_000, 1120], // a part of the large preimage
      [0, 544, 41_003, 1152], // another, unaligned: loaded on its own
      [0, 544, big.length, 1184], // at the end: 0 bytes (the length is known from the parts)
    ];
    const prog = compileProgram(
      stf(
        `${reads.map(([k, h, o, d]) => `(drop (call $preimage_read (i32.const ${k}) (i32.const ${h}) (i32.const ${o}) (i32.const ${d})))`).join('\n')}
        (call $halt) (unreachable)`,
        `(data (i32.const 512) "${watBytes(Buffer.from(vh.slice(2), 'hex'))}${watBytes(bigHash)}")`,
      ),
    );
    const steps = preimageReadSteps(prog, host);
    expect(steps.length).toBe(reads.length);
    const claim = new HonestClaim({ prog, heights: [1, 20], host }, zero(), 1, [zero()]);
    const loaded: string[] = [];
    const proofGas: string[] = [];
    for (const [i, step] of steps.entries()) {
      const [kind, , offset] = reads[i];
      const { proof, needs } = claim.proveStep(0, step);
      const part = needs.preimage as PreimagePart;
      expect({ kind: part.kind, hash: part.hash, offset: part.offset }).toEqual({
        kind,
        hash: kind === 1 ? vh : bytesToHex(bigHash),
        offset,
      });
      expect(part.preimage).toBe(kind === 1 ? blob : big);
      const pre = machineAt(prog, zero(), host, step);
      const post = toHex(machineAt(prog, zero(), host, step + 1).hash());
      const prove = () => osp.proveOnChain(pre.module.moduleRoot, pre.hash(), proof);
      const needsLoad = i !== 2 && i !== 5;
      if (needsLoad) await expect(prove(), `read ${i} before loading`).rejects.toThrow(/UnknownPreimage/);
      const tx = await ensurePreimagePart(oracle, l1, part);
      expect(tx !== undefined, `read ${i} loads a part`).toBe(needsLoad);
      if (tx) loaded.push(`${kind}@${offset}: ${tx.gasUsed} gas`);
      expect(await prove(), `read ${i}`).toBe(post);
      proofGas.push(`${kind}@${offset}: ${await osp.gasOf(pre.module.moduleRoot, pre.hash(), proof)}`);
      // idempotent: the second time nothing is sent
      expect(await ensurePreimagePart(oracle, l1, part)).toBeUndefined();
    }
    console.log(`preimage parts loaded: ${loaded.join(', ')}; one-step proof gas: ${proofGas.join(', ')}`);
    // what the reads wrote (the interpreter, which L1 just agreed with)
    const m = machineAt(prog, zero(), host, steps[steps.length - 1] + 1).m;
    const at = (a: number, n = 32): Hex => bytesToHex(m.memory.subarray(a, a + n));
    expect(at(1024)).toBe(bytesToHex(blob.subarray(224, 256)));
    expect(at(1056)).toBe(bytesToHex(blob.subarray(131_040)));
    expect(at(1120)).toBe(bytesToHex(big.subarray(40_000, 40_032)));
    expect(at(1152)).toBe(bytesToHex(big.subarray(41_003, 41_035)));
  }, 120_000);

  it('a loaded element or part proves only its own offset; a wrong blob is refused', async () => {
    const blob = encodeBlobs(Uint8Array.of(1, 2, 3))[0];
    const vh = versionedHash(await blobCommitment(blob));
    const other = encodeBlobs(Uint8Array.of(9))[0];
    const prog = compileProgram(
      stf(
        `(drop (call $preimage_read (i32.const 1) (i32.const 512) (i32.const 32) (i32.const 1024)))
         (call $halt) (unreachable)`,
        `(data (i32.const 512) "${watBytes(Buffer.from(vh.slice(2), 'hex'))}")`,
      ),
    );
    const host: HostData = {
      inboxMessage: () => undefined,
      preimage: (kind, h) => (kind === 1 && bytesToHex(h) === vh ? blob : undefined),
    };
    const [step] = preimageReadSteps(prog, host);
    const { proof, needs } = new HonestClaim({ prog, heights: [1, 20], host }, zero(), 1, [zero()]).proveStep(
      0,
      step,
    );
    const part = needs.preimage as PreimagePart;
    const pre = machineAt(prog, zero(), host, step);
    const prove = () => osp.proveOnChain(pre.module.moduleRoot, pre.hash(), proof);
    // element 0 of the same blob is not element 1
    await ensurePreimagePart(oracle, l1, { ...part, offset: 0 });
    await expect(prove()).rejects.toThrow(/UnknownPreimage/);
    // another blob's element under this versioned hash: refused before anything is sent
    await expect(ensurePreimagePart(oracle, l1, { ...part, preimage: other })).rejects.toThrow(
      /not the blob with versioned hash/,
    );
    await expect(prove()).rejects.toThrow(/UnknownPreimage/);
    await ensurePreimagePart(oracle, l1, part);
    expect(await prove()).toBe(toHex(machineAt(prog, zero(), host, step + 1).hash()));
  }, 120_000);
});
