/**
 * Issue 19, fix 1 (docs/blob.md §4.1): a one-step proof of a `preimage_read` at the far end of a
 * maximal committee batch (761,852 bytes, the `l1-blob` fallback's largest) on an Osaka L1 that
 * caps every transaction at 2^24 gas (EIP-7825). Loading the part in one transaction is refused;
 * the dispute agent's `ensurePreimagePart` hashes the batch on chain in parts, each under the cap,
 * and then the OneStepProver accepts the step with the interpreter's post-state. Then the attack
 * itself: a liar bisects the honest validator down to that `preimage_read`, and the honest side
 * proves it and wins.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playUntil, setupDisputeFixture } from '../../../test/dispute-fixture.ts';
import { DISPUTE_TEST_PARAMS, DISPUTE_TEST_PERIOD, disputeTestGenesis } from '../../../test/test-stf.ts';
import { stf, watBytes } from '../../../test/wasm/wat.ts';
import { L1_BLOB_MAX_BATCH_BYTES } from '../../da/l1-blob/blob-codec.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import type { AssertionData } from '../../settlement/ethereum/dispute-hash.ts';
import { nextBlockCount } from '../../settlement/ethereum/dispute-hash.ts';
import { PreimageOracleClient } from '../../settlement/ethereum/preimage-oracle.ts';
import { TX_GAS_CAP } from '../../settlement/ethereum/preimage-oracle-large.ts';
import { toHex } from '../../vm/wasm/hash.ts';
import { HOST_FUNCS } from '../../vm/wasm/host-abi.ts';
import { M } from '../../vm/wasm/isa.ts';
import { type GlobalState, type HostData, Machine, Status } from '../../vm/wasm/machine.ts';
import { deployOsp, type OspDeployment } from '../../vm/wasm/osp-harness.ts';
import { compileProgram } from '../../vm/wasm/program.ts';
import { ensurePreimagePart } from './challenger.ts';
import { type Claim, HonestClaim, LyingClaim, type PreimagePart, strideLog2 } from './claim.ts';
import { History } from './history.ts';
import { machineAt } from './machine-history.ts';

let l1: L1;
let osp: OspDeployment;
let oracle: PreimageOracleClient;

beforeAll(async () => {
  // anvil 1.7 enforces EIP-7825 only with --enable-tx-gas-limit, even at --hardfork osaka
  l1 = await startAnvil({ hardfork: 'osaka', args: ['--enable-tx-gas-limit'] });
  osp = await deployOsp(l1);
  oracle = await PreimageOracleClient.at(l1, osp.oracle);
}, 120_000);

afterAll(async () => {
  await l1?.stop();
});

const zero = (): GlobalState => ({ bytes32: [new Uint8Array(32), new Uint8Array(32)], u64: [0n, 0n] });

// a real 0x03 batch's bytes would do the same: only the size and the hash matter here
const batch = Uint8Array.from({ length: L1_BLOB_MAX_BATCH_BYTES }, (_, i) => (i * 131 + (i >> 9) + 1) & 0xff);
const hash = keccak_256(batch);
const offset = batch.length - 20; // the last 20 bytes
const preimages: Pick<HostData, 'preimage'> = {
  preimage: (kind, h) => (kind === 0 && toHex(h) === toHex(hash) ? batch : undefined),
};

/** the first step at which the machine executes `preimage_read` */
function preimageReadStep(m: Machine): number {
  while (
    m.status === Status.Running &&
    !(m.prog.ops[m.pc] === M.host && m.prog.immLo[m.pc] === HOST_FUNCS.preimage_read.id)
  )
    m.run(1);
  return m.steps;
}

/**
 * A liar whose lie starts right after step `step` of block `block`: the machine states it claims
 * agree with the honest ones up to that step and differ after it (the end machine is LyingClaim's),
 * so the bisection ends at that step, the `preimage_read`.
 */
class LiarAfterStep implements Claim {
  readonly ctx;
  readonly blockCount;
  private readonly lie: LyingClaim;
  constructor(
    private readonly honest: HonestClaim,
    private readonly block: number,
    private readonly step: number,
  ) {
    this.lie = new LyingClaim(honest, block, 'a lie after the preimage_read');
    this.ctx = honest.ctx;
    this.blockCount = honest.blockCount;
  }
  blockState = (i: number) => this.lie.blockState(i);
  endState = () => this.lie.endState();
  level0 = () => this.lie.level0();
  endMachineWords = (b: number) => this.lie.endMachineWords(b);
  proveStep = (b: number, s: number) => this.lie.proveStep(b, s);
  stepHistory(block: number, level: number, base: number): History {
    const h = this.lie.stepHistory(block, level, base);
    if (block !== this.block) return h;
    const stride = 2 ** strideLog2(this.ctx.heights, level);
    const end = this.honest.steps(block);
    const states = h.realStates.map((s, i) => {
      const t = base + i * stride;
      return t > this.step && t < end ? keccak_256(Uint8Array.of(...s, 1)) : s;
    });
    return new History(h.h, states);
  }
}

describe('a preimage_read at the far end of a maximal committee batch on Osaka (slow)', () => {
  it('one transaction is refused; the parts flow loads it under the cap and the step proves', async () => {
    // a real 0x03 batch's bytes would do the same: only the size and the hash matter here
    const batch = Uint8Array.from(
      { length: L1_BLOB_MAX_BATCH_BYTES },
      (_, i) => (i * 131 + (i >> 9) + 1) & 0xff,
    );
    const hash = keccak_256(batch);
    const offset = batch.length - 20; // the last 20 bytes
    const host: HostData = {
      inboxMessage: () => undefined,
      preimage: (kind, h) => (kind === 0 && toHex(h) === toHex(hash) ? batch : undefined),
    };
    const prog = compileProgram(
      stf(
        `(drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const ${offset}) (i32.const 1024)))
         (call $halt) (unreachable)`,
        `(data (i32.const 512) "${watBytes(hash)}")`,
      ),
    );
    const m = new Machine(prog, zero(), host);
    while (
      m.status === Status.Running &&
      !(m.prog.ops[m.pc] === M.host && m.prog.immLo[m.pc] === HOST_FUNCS.preimage_read.id)
    )
      m.run(1);
    const step = m.steps;
    const { proof, needs } = new HonestClaim({ prog, heights: [1, 20], host }, zero(), 1, [zero()]).proveStep(
      0,
      step,
    );
    const part = needs.preimage as PreimagePart;
    expect({ kind: part.kind, offset: part.offset, length: part.preimage.length }).toEqual({
      kind: 0,
      offset,
      length: 761_852,
    });
    const pre = machineAt(prog, zero(), host, step);
    const post = toHex(machineAt(prog, zero(), host, step + 1).hash());
    const prove = () => osp.proveOnChain(pre.module.moduleRoot, pre.hash(), proof);
    await expect(prove()).rejects.toThrow(/UnknownPreimage/);

    // the old way, one transaction with the whole batch: over EIP-7825's cap
    const single = await oracle.loadKeccakPart(batch, offset).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(single, 'a one-transaction load of 761,852 bytes').toBeInstanceOf(Error);
    // anvil's words for EIP-7825's cap (the same for a plain 2^24 + 1 gas transfer)
    expect(single?.message).toMatch(/gas provided for the transaction exceeds the limit/);
    expect(await oracle.isPartKnown(0, bytesToHex(hash), offset)).toBe(false);

    // the agent's way: parts, each under the cap (anvil refuses any transaction over it)
    const lines: string[] = [];
    const tx = await ensurePreimagePart(oracle, l1, part, (l) => lines.push(l));
    expect(tx?.receipt.status).toBe('success');
    const gases = lines.flatMap((l) => [...l.matchAll(/, (\d+) gas/g)].map((x) => BigInt(x[1])));
    expect(gases.length).toBe(22); // the open, 20 absorbs and the squeeze
    for (const g of gases) expect(g).toBeLessThan(BigInt(TX_GAS_CAP));
    const total = gases.reduce((a, b) => a + b, 0n);
    console.log(
      `761,852-byte preimage in parts: ${gases.length} transactions, ${total} gas ` +
        `(largest ${gases.toSorted((a, b) => (a < b ? 1 : -1))[0]}); ${lines[1]}; ${lines[lines.length - 1]}`,
    );

    expect(await prove()).toBe(post);
    const after = machineAt(prog, zero(), host, step + 1).m;
    expect(bytesToHex(after.memory.subarray(1024, 1044)) as Hex).toBe(bytesToHex(batch.subarray(offset)));
    console.log(`one-step proof gas: ${await osp.gasOf(pre.module.moduleRoot, pre.hash(), proof)}`);
  }, 600_000);

  it('a liar bisects the honest validator down to that preimage_read; the honest side proves it and wins', async () => {
    // each block: state root := keccak(root ‖ the batch's last 20 bytes ‖ the message's first 12)
    const prog = compileProgram(
      stf(
        `(call $get_b32 (i32.const 0) (i32.const 0))
         (drop (call $inbox_read (i32.const 0) (i32.const 44)))
         (drop (call $preimage_read (i32.const 0) (i32.const 512) (i32.const ${offset}) (i32.const 32)))
         (call $keccak256_pair (i32.const 0) (i32.const 0))
         (call $set_b32 (i32.const 0) (i32.const 0))
         (call $set_u64 (i32.const 0) (i64.add (call $get_u64 (i32.const 0)) (i64.const 1)))
         (call $set_u64 (i32.const 1) (i64.const 0))`,
        `(data (i32.const 512) "${watBytes(hash)}")`,
      ),
    );
    const params = DISPUTE_TEST_PARAMS;
    const f = await setupDisputeFixture(l1, { prog, params, genesis: disputeTestGenesis(), preimages });
    for (let i = 0; i < 3; i++) await f.postBatch(Uint8Array.of(9 + i, i, 7));
    const first = f.agent('first', 1, new HonestClaim(f.ctx, f.genesis, 1), f.genesisData);
    await first.postAssertion();
    await f.elapse(DISPUTE_TEST_PERIOD);
    await first.advance();
    expect(await first.isConfirmed()).toBe(true);
    const prev = first.assertion as AssertionData;
    const start = new HonestClaim(f.ctx, f.genesis, 1).endState();
    const claim = new HonestClaim(f.ctx, start, nextBlockCount(prev, params.heights[0]));
    const lieBlock = 1;
    const step = preimageReadStep(new Machine(prog, claim.blockState(lieBlock), f.ctx.host));
    expect(claim.proveStep(lieBlock, step).needs.preimage?.offset).toBe(offset);

    const logs: string[] = [];
    const honest = f.agent('honest', 2, claim, prev, (l) => logs.push(l));
    const liar = f.agent('liar', 3, new LiarAfterStep(claim, lieBlock, step), prev, (l) => logs.push(l));
    await honest.postAssertion();
    await liar.postAssertion();
    await playUntil(f, [honest, liar], () => honest.isConfirmed());
    expect(await liar.isConfirmed()).toBe(false);
    const proofs = honest.moves.filter((m) => m.kind === 'one-step-proof');
    expect(proofs.map((m) => m.detail)).toEqual([`block ${lieBlock}, step ${step}`]);
    // whoever reached the step first loaded the part, in 20 absorbs, once
    expect(logs.filter((l) => /part \d+\/20 absorbed/.test(l))).toHaveLength(20);
    expect(liar.moves.map((m) => m.kind)).not.toContain('one-step-proof');
    expect(await f.settlement.oracle.isPartKnown(0, bytesToHex(hash), offset)).toBe(true);
  }, 600_000);
});
