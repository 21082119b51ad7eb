/**
 * Fuzzing (docs/fuzzing.md): one-step proofs with a single field mutated, against the Solidity
 * verifier (OneStepProver on anvil, one anvil for the file) and the TS verifier (verify.ts). The
 * corpus: steps of random modules (test/wasm/random-module.ts: calls, loops, memory, host ops,
 * traps), of the loop module, and of a module reading the inbox and preimages (committed on chain),
 * as osp.test.ts proves them. A field is one 32-byte word of the
 * proof (a bit flipped, zero, all ones, ±1, random, another word of the proof), the pre-state hash,
 * the module root, or the proof's length (a word dropped or appended, a byte dropped).
 * Properties: the TS verifier throws only ProofError; the Solidity verifier agrees with it on every
 * case and never proves a post-state other than the honest one; and every mutation is rejected
 * (reverts) except the two the proof format ignores by design, which prove the honest post-state:
 * bits above 200 of the scalars word (docs/machine.md §7.1: verifiers hash the re-packed fields) and
 * words appended after the proof (neither verifier checks that the proof is consumed to its end;
 * both only read what the step needs). Either changes nothing a dispute decides.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzRng, fuzz, fuzzTimeout } from '../../../test/fuzz/fuzz.ts';
import { collectSteps, envFor, loopModule, type ProofSample } from '../../../test/wasm/proof-corpus.ts';
import { randomModule } from '../../../test/wasm/random-module.ts';
import { stf, watBytes } from '../../../test/wasm/wat.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { MachineCommitter } from './commit.ts';
import { toHex, type Word } from './hash.ts';
import { mopName } from './isa.ts';
import { type HostData, Machine } from './machine.ts';
import { deployOsp, type OspDeployment } from './osp-harness.ts';
import { compileProgram } from './program.ts';
import { ProofError, verifyStep } from './verify.ts';

let l1: L1;
let osp: OspDeployment;
const samples: ProofSample[] = [];
/** steps of a module reading the inbox and preimages (their data committed on chain) */
const hostSamples: ProofSample[] = [];

beforeAll(async () => {
  l1 = await startAnvil();
  osp = await deployOsp(l1);
  for (const seed of [11, 12, 13]) {
    const prog = compileProgram(randomModule(seed, { maxPages: 2, trapRate: 0.05 }), {
      limits: { maxSteps: 1_000_000n },
    });
    collectSteps(new MachineCommitter(new Machine(prog)), `random ${seed}`, 800, (s) => samples.push(s));
  }
  collectSteps(
    new MachineCommitter(new Machine(compileProgram(loopModule(), { entry: 'main' }))),
    'loop',
    200,
    (s) => samples.push(s),
  );
  // L1 data: inbox and preimage reads (committed on chain), global state, bulk memory ops
  const inbox = Uint8Array.from({ length: 90 }, (_, i) => (i * 7 + 3) & 0xff);
  const preimage = Uint8Array.from({ length: 40 }, (_, i) => 200 - i);
  const hash = keccak_256(preimage);
  await osp.setInboxMessage(0n, inbox);
  await osp.submitPreimage(preimage);
  const host: HostData = {
    inboxMessage: (pos) => (pos === 0n ? inbox : undefined),
    preimage: (kind, h) => (kind === 0 && toHex(h) === toHex(hash) ? preimage : undefined),
  };
  const bytes = stf(
    `
    (drop (call $inbox_read (i32.const 0) (i32.const 100)))
    (drop (call $inbox_read (i32.const 70) (i32.const 200)))
    (drop (call $inbox_read (i32.const 1000) (i32.const 0)))
    (call $get_b32 (i32.const 1) (i32.const 300))
    (call $set_b32 (i32.const 0) (i32.const 101))
    (call $set_u64 (i32.const 1) (i64.add (call $get_u64 (i32.const 0)) (i64.const 5)))
    (memory.fill (i32.const 60) (i32.const 0xab) (i32.const 9))
    (memory.copy (i32.const 62) (i32.const 58) (i32.const 7))
    (drop (memory.grow (i32.const 1)))
    (drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const 3) (i32.const 31)))
    (drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const 40) (i32.const 1100)))
    (call $keccak256_pair (i32.const 1024) (i32.const 1088))
    (call $halt)
    (unreachable)`,
    `(data (i32.const 512) "${watBytes(hash)}")`,
    '(memory 1 2)',
  );
  collectSteps(
    new MachineCommitter(new Machine(compileProgram(bytes), undefined, host)),
    'host-io',
    10_000,
    (s) => hostSamples.push(s),
  );
}, 180_000);

afterAll(async () => {
  await l1?.stop();
});

const MAX = (1n << 256n) - 1n;
const wordOf = (b: Uint8Array, at: number) => BigInt(toHex(b.subarray(at, at + 32)));
function setWord(b: Uint8Array, at: number, v: bigint): void {
  const x = v & MAX;
  for (let i = 0; i < 32; i++) b[at + i] = Number((x >> BigInt(8 * (31 - i))) & 0xffn);
}

interface Case {
  field: string;
  moduleRoot: Word;
  pre: Word;
  proof: Uint8Array;
}

/** one field of `s` mutated */
function mutateField(rng: FuzzRng, s: ProofSample): Case {
  const words = s.proof.length / 32;
  const k = rng.int(20);
  if (k === 0) {
    const pre = s.pre.slice();
    pre[rng.int(32)] ^= 1 << rng.int(8);
    return { field: 'pre-state', moduleRoot: s.moduleRoot, pre, proof: s.proof };
  }
  if (k === 1) {
    const root = s.moduleRoot.slice();
    root[rng.int(32)] ^= 1 << rng.int(8);
    return { field: 'module root', moduleRoot: root, pre: s.pre, proof: s.proof };
  }
  if (k === 2) {
    const how = rng.int(3);
    const proof =
      how === 0
        ? s.proof.slice(0, s.proof.length - 32)
        : how === 1
          ? Uint8Array.from([...s.proof, ...rng.bytes(32)])
          : s.proof.slice(0, s.proof.length - 1);
    return {
      field: ['word dropped', 'word appended', 'byte dropped'][how],
      moduleRoot: s.moduleRoot,
      pre: s.pre,
      proof,
    };
  }
  const w = rng.int(words);
  const at = w * 32;
  const proof = s.proof.slice();
  const old = wordOf(proof, at);
  const how = rng.int(7);
  switch (how) {
    case 0:
      proof[at + rng.int(32)] ^= 1 << rng.int(8);
      break;
    case 1:
      setWord(proof, at, 0n);
      break;
    case 2:
      setWord(proof, at, MAX);
      break;
    case 3:
      setWord(proof, at, old + 1n);
      break;
    case 4:
      setWord(proof, at, old - 1n);
      break;
    case 5:
      proof.set(rng.bytes(32), at);
      break;
    default: {
      const other = rng.int(words) * 32;
      proof.set(s.proof.subarray(other, other + 32), at);
    }
  }
  return { field: `word ${w}`, moduleRoot: s.moduleRoot, pre: s.pre, proof };
}

describe('fuzz: one-step proofs with one field mutated', () => {
  it(
    'the Solidity verifier never proves another post-state, and agrees with verify.ts',
    async () => {
      expect(samples.length).toBeGreaterThan(1000);
      expect(hostSamples.length).toBeGreaterThan(20);
      await fuzz('one-step-proof', 1500, async (rng, _i, show) => {
        const s = rng.chance(0.25) ? rng.pick(hostSamples) : rng.pick(samples);
        const env = envFor(s.host);
        const c = mutateField(rng, s);
        show(
          `${s.label} (${mopName(s.op)}), ${c.field}: moduleRoot ${toHex(c.moduleRoot)} pre ${toHex(c.pre)} proof ${toHex(c.proof)}`,
        );
        const same =
          toHex(c.proof) === toHex(s.proof) &&
          toHex(c.pre) === toHex(s.pre) &&
          toHex(c.moduleRoot) === toHex(s.moduleRoot);
        if (same) return 'unchanged';
        let ts: string | undefined;
        try {
          ts = toHex(verifyStep(c.pre, c.proof, env));
        } catch (e) {
          if (!(e instanceof ProofError)) throw e;
        }
        let sol: string | undefined;
        try {
          sol = await osp.proveOnChain(c.moduleRoot, c.pre, c.proof);
        } catch {
          sol = undefined;
        }
        // the TS verifier does not take the module root (the caller checks it against the pre-state)
        if (c.field !== 'module root') expect(sol, 'the Solidity and TS verifiers agree').toBe(ts);
        if (sol === undefined) return 'rejected';
        if (sol !== toHex(s.post))
          throw new Error(`a mutated proof proves another post-state: ${sol}, honest ${toHex(s.post)}`);
        // accepted with the honest post-state: only what the format ignores by design
        const ignoredBits = wordOf(c.proof, 0) ^ wordOf(s.proof, 0);
        if (c.field === 'word 0' && ignoredBits >> 201n !== 0n && (ignoredBits & ((1n << 201n) - 1n)) === 0n)
          return 'ignored: scalars bits above 200';
        if (c.field === 'word appended') return 'ignored: a word after the proof';
        throw new Error(`a mutated proof (${c.field}) is accepted (with the honest post-state)`);
      });
    },
    fuzzTimeout(120_000),
  );
});
