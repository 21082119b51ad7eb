/**
 * dispute-hash.ts against the contracts on anvil (docs/dispute.md §2.1, §3, §4, §5): the TS hashes
 * (stateHash, assertionId, nodeHex, edgeKey, edgeId, genesisAssertion) equal what Rollup.sol and
 * ChallengeManager.sol compute, on random values and on the edges of a real dispute; the contract's
 * initial machine equals initial-machine.ts and a fresh machine's hash.
 */
import {
  type Abi,
  bytesToHex,
  type Hex,
  hexToBytes,
  keccak256,
  numberToHex,
  parseEventLogs,
  zeroAddress,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DisputeFixture, setupDisputeFixture } from '../../../test/dispute-fixture.ts';
import {
  disputeTestGenesis,
  disputeTestPayload,
  disputeTestProgram,
  DISPUTE_TEST_PARAMS as PARAMS,
} from '../../../test/test-stf.ts';
import { NO_HOST } from '../../../test/wasm/proof-corpus.ts';
import { stf } from '../../../test/wasm/wat.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { HonestClaim, LyingClaim, moduleFieldsHex } from '../../proof/fraud/claim.ts';
import { splitBits } from '../../proof/fraud/history.ts';
import { initialMachineHash } from '../../proof/fraud/initial-machine.ts';
import { commitModule, globalStateHash, MachineCommitter } from '../../vm/wasm/commit.ts';
import { emptyGlobalState, type GlobalState, Machine } from '../../vm/wasm/machine.ts';
import { compileProgram } from '../../vm/wasm/program.ts';
import {
  type AssertionData,
  assertionId,
  type EdgeRef,
  edgeId,
  edgeKey,
  fromSolState,
  genesisAssertion,
  nodeHex,
  type SolGlobalState,
  stateHash,
  toSolState,
} from './dispute-hash.ts';

const MAX64 = (1n << 64n) - 1n;
let seed = 0;
/** deterministic pseudo-random 32-byte words */
const rnd = (): Hex => keccak256(numberToHex(++seed, { size: 32 }));
const rnd64 = (): bigint => BigInt(rnd()) & MAX64;
const randomState = (): SolGlobalState => ({
  stateRoot: rnd(),
  sendRoot: rnd(),
  inboxPosition: rnd64(),
  positionInMessage: rnd64(),
});
const randomAssertion = (): AssertionData => ({
  prevId: rnd(),
  prevStateHash: rnd(),
  blockCount: rnd64(),
  end: randomState(),
  historyRoot: rnd(),
  nextInboxPosition: rnd64(),
});

let l1: L1;
let f: DisputeFixture;
let cmAbi: Abi;
let rollupAbi: Abi;
beforeAll(async () => {
  l1 = await startAnvil();
  f = await setupDisputeFixture(l1, {
    prog: disputeTestProgram(),
    params: PARAMS,
    genesis: disputeTestGenesis(),
  });
  cmAbi = (await getArtifact('ChallengeManager')).abi;
  rollupAbi = (await getArtifact('Rollup')).abi;
});
afterAll(async () => {
  await l1?.stop();
});

const readRollup = <T>(functionName: string, args: readonly unknown[] = []) =>
  l1.publicClient.readContract({
    address: f.settlement.addresses.rollup,
    abi: rollupAbi,
    functionName,
    args,
  }) as Promise<T>;

describe('assertions (§2.1)', () => {
  it('genesisAssertion and its id are what the Rollup constructor built', async () => {
    const g = genesisAssertion(toSolState(disputeTestGenesis()));
    expect(g).toEqual(f.genesisData);
    expect(await readRollup('genesisId')).toBe(assertionId(g));
    expect(await f.settlement.rollup.latestConfirmed()).toBe(assertionId(g));
    const [created] = await f.settlement.rollup.assertions(f.settlement.deployBlock);
    expect(created.id).toBe(assertionId(g));
    expect(created.data).toEqual(g);
  });

  it('genesisAssertion of an extreme genesis state', async () => {
    const genesis = { ...randomState(), inboxPosition: MAX64 - 1n, positionInMessage: MAX64 };
    const r = await deploy(l1, await getArtifact('Rollup'), [
      f.settlement.addresses.inbox,
      f.settlement.addresses.challengeManager,
      1n,
      1n,
      genesis,
      zeroAddress,
      0n,
    ]);
    const id = await l1.publicClient.readContract({
      address: r.address,
      abi: rollupAbi,
      functionName: 'genesisId',
    });
    expect(id).toBe(assertionId(genesisAssertion(genesis)));
  });

  it('assertionId equals Rollup.assertionId on random data, u64 extremes included', async () => {
    const cases = [randomAssertion(), randomAssertion(), randomAssertion()];
    cases.push({ ...randomAssertion(), blockCount: MAX64, nextInboxPosition: 0n });
    cases.push({
      ...randomAssertion(),
      end: { ...randomState(), inboxPosition: MAX64, positionInMessage: 0n },
    });
    for (const a of cases) expect(await readRollup('assertionId', [a])).toBe(assertionId(a));
  });

  it('stateHash equals the machine global-state hash (machine.md §2.3), both ways', () => {
    for (let i = 0; i < 5; i++) {
      const s = randomState();
      expect(stateHash(s)).toBe(bytesToHex(globalStateHash(fromSolState(s))));
      expect(toSolState(fromSolState(s))).toEqual(s);
    }
  });

  it('stateHash and nodeHex: the prevStateHash and historyRoot the Rollup stores', async () => {
    await f.postBatch(disputeTestPayload(0));
    await f.postBatch(disputeTestPayload(1));
    const end: SolGlobalState = {
      stateRoot: rnd(),
      sendRoot: rnd(),
      inboxPosition: 1n,
      positionInMessage: 0n,
    };
    const inner = rnd();
    const tx = await f.settlement.rollup.createAssertion(f.genesisData, end, inner, PARAMS.assertionBond);
    expect(tx.data.prevStateHash).toBe(stateHash(f.genesisData.end));
    expect(tx.data.historyRoot).toBe(nodeHex(stateHash(f.genesisData.end), stateHash(end), inner));
    expect(tx.data.nextInboxPosition).toBe(2n);
    expect(tx.id).toBe(assertionId(tx.data));
    // and the next one, from a non-genesis state
    const end2: SolGlobalState = {
      stateRoot: rnd(),
      sendRoot: rnd(),
      inboxPosition: 2n,
      positionInMessage: 0n,
    };
    await f.postBatch(disputeTestPayload(2));
    const tx2 = await f.settlement.rollup.createAssertion(tx.data, end2, inner);
    expect(tx2.data.prevStateHash).toBe(stateHash(end));
    expect(tx2.data.historyRoot).toBe(nodeHex(stateHash(end), stateHash(end2), inner));
    expect(tx2.id).toBe(assertionId(tx2.data));
  });
});

describe('edges (§4)', () => {
  it('edgeKey and edgeId of level-0 edges equal Rollup.layerZeroEdgeId on random data', async () => {
    for (let i = 0; i < 4; i++) {
      const a = randomAssertion();
      const ref: EdgeRef = {
        level: 0,
        origin: a.prevId,
        start: 0n,
        w: PARAMS.heights[0],
        startState: a.prevStateHash,
        root: a.historyRoot,
      };
      expect(await f.settlement.rollup.layerZeroEdgeId(a)).toBe(edgeId(ref));
    }
  });

  it("every edge of a real dispute: created edges' keys and ids, dissection children (nodeHex) exist", async () => {
    // a fresh chain: an honest validator and a liar in block 0, played down to the one-step proof
    const d = await setupDisputeFixture(l1, {
      prog: disputeTestProgram(),
      params: PARAMS,
      genesis: disputeTestGenesis(),
    });
    await d.postBatch(disputeTestPayload(0));
    const honest = new HonestClaim(d.ctx, d.genesis, 1);
    const agents = [
      d.agent('honest', 1, honest, d.genesisData),
      d.agent('liar', 2, new LyingClaim(honest, 0), d.genesisData),
    ];
    for (const a of agents) await a.postAssertion();
    for (let round = 0; round < 20; round++) {
      let moved = 0;
      for (const a of agents) moved += (await a.advance()).length;
      if (moved === 0) break;
    }
    expect(agents[0].moves.map((m) => m.kind)).toContain('one-step-proof');
    const logs = await l1.publicClient.getLogs({
      address: d.settlement.addresses.challengeManager,
      fromBlock: d.settlement.deployBlock,
    });
    const created = parseEventLogs({ abi: cmAbi, logs, eventName: 'EdgeCreated' }).map(
      (l) => (l as unknown as { args: { id: Hex; key: Hex; edge: EdgeRef } }).args,
    );
    // level-0 edges of both, both step levels' top edges of both
    expect(created.map((c) => c.edge.level).sort()).toEqual([0, 0, 1, 1, 2, 2]);
    for (const c of created) {
      expect(edgeKey(c.edge)).toBe(c.key);
      expect(edgeId(c.edge)).toBe(c.id);
    }
    const exists = (k: Hex, id: Hex) =>
      l1.publicClient.readContract({
        address: d.settlement.addresses.challengeManager,
        abi: cmAbi,
        functionName: 'edgeExists',
        args: [k, id],
      }) as Promise<boolean>;
    const dissected = parseEventLogs({ abi: cmAbi, logs, eventName: 'EdgeDissected' }).map(
      (l) => (l as unknown as { args: { edge: EdgeRef; boundaries: Hex[]; inners: Hex[] } }).args,
    );
    expect(dissected.length).toBeGreaterThanOrEqual(6);
    let checked = 0;
    for (const { edge, boundaries, inners } of dissected) {
      const childW = edge.w - splitBits(edge.w);
      for (let j = 0; j < inners.length; j++) {
        const child: EdgeRef = {
          ...edge,
          start: edge.start + (BigInt(j) << BigInt(childW)),
          w: childW,
          startState: boundaries[j],
          root: nodeHex(boundaries[j], boundaries[j + 1], inners[j]),
        };
        expect(await exists(edgeKey(child), edgeId(child))).toBe(true);
        checked++;
      }
      // another root at the same key is not an edge
      const k = edgeKey({ ...edge, w: childW, startState: boundaries[0] });
      expect(await exists(k, edgeId({ ...edge, w: childW, startState: boundaries[0], root: rnd() }))).toBe(
        false,
      );
    }
    expect(checked).toBeGreaterThan(40);
  });
});

describe('initial machine (§5)', () => {
  const modules: [string, Uint8Array][] = [
    ['the dispute test STF', new Uint8Array()],
    [
      'globals, data, 2..5 pages',
      stf(
        '(global.set $a (i32.const 1)) (call $halt)',
        '(global $a (mut i32) (i32.const 5)) (global $b (mut i64) (i64.const 9)) (global $c i32 (i32.const 2)) (data (i32.const 0) "abc")',
        '(memory 2 5)',
      ),
    ],
    ['no memory', stf('(nop)', '', '')],
  ];
  for (const [label, bytes] of modules) {
    it(`ChallengeManager.initialMachineHash = initial-machine.ts = a fresh machine: ${label}`, async () => {
      const prog = bytes.length === 0 ? disputeTestProgram() : compileProgram(bytes);
      const fields = moduleFieldsHex(prog);
      const cm =
        bytes.length === 0
          ? f.settlement.addresses.challengeManager
          : (
              await deploy(l1, await getArtifact('ChallengeManager'), [
                f.settlement.addresses.prover,
                fields,
                PARAMS.heights,
                PARAMS.challengePeriod,
                PARAMS.edgeBond,
              ])
            ).address;
      const gss: GlobalState[] = [emptyGlobalState(), disputeTestGenesis(), fromSolState(randomState())];
      for (const gs of gss) {
        const h = globalStateHash(gs);
        const onChain = await l1.publicClient.readContract({
          address: cm,
          abi: cmAbi,
          functionName: 'initialMachineHash',
          args: [bytesToHex(h)],
        });
        expect(onChain).toBe(bytesToHex(initialMachineHash(commitModule(prog), h)));
        const fresh = new MachineCommitter(new Machine(prog, gs, NO_HOST)).hash();
        expect(onChain).toBe(bytesToHex(fresh));
      }
      // any word, not only global-state hashes
      const w = rnd();
      expect(
        await l1.publicClient.readContract({
          address: cm,
          abi: cmAbi,
          functionName: 'initialMachineHash',
          args: [w],
        }),
      ).toBe(
        bytesToHex(
          initialMachineHash(
            fields.map((x) => hexToBytes(x)),
            hexToBytes(w),
          ),
        ),
      );
    });
  }
});
