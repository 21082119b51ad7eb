/**
 * ChallengeManager.sol on anvil (docs/dispute.md §4): a negative test for every revert path (each
 * custom error, through ChallengeClient or a raw call) next to the move that succeeds. One dispute
 * is built step by step with real histories: an honest validator, a liar whose lie is in block 0
 * (it ends at a one-step proof) and a liar whose lie is in the padding; the agents make the moves,
 * the tests make the wrong ones at each stage, then confirm, refund and sweep bonds.
 */
import {
  type Abi,
  type Address,
  bytesToHex,
  concatHex,
  getAddress,
  type Hex,
  numberToHex,
  parseEventLogs,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DisputeFixture, setupDisputeFixture } from '../../../test/dispute-fixture.ts';
import {
  disputeTestGenesis,
  disputeTestPayload,
  disputeTestProgram,
  DISPUTE_TEST_PARAMS as PARAMS,
  DISPUTE_TEST_PERIOD as PERIOD,
} from '../../../test/test-stf.ts';
import { type L1, startAnvil } from '../../l1/anvil.ts';
import { getArtifact } from '../../l1/contracts.ts';
import { deploy } from '../../l1/deploy.ts';
import { type DisputeAgent, INF } from '../../proof/fraud/challenger.ts';
import { type Claim, HonestClaim, LyingClaim, moduleFieldsHex, strideLog2 } from '../../proof/fraud/claim.ts';
import { type History, splitBits } from '../../proof/fraud/history.ts';
import { CHALLENGE_MANAGER_ERRORS } from './dispute-errors.ts';
import {
  type AssertionData,
  assertionId,
  type EdgeRef,
  edgeId,
  edgeKey,
  type SolGlobalState,
  toSolState,
} from './dispute-hash.ts';
import { SettlementRevertError, toSettlementError } from './errors.ts';
import { sendContractTx, walletFor } from './inbox.ts';
import { ChallengeClient } from './rollup.ts';
import { expectRevert } from './test-utils.ts';

const BOND = PARAMS.edgeBond;
const H = PARAMS.heights;
const word = (n: number | bigint): Hex => numberToHex(BigInt(n), { size: 32 });
const hex = (w: Uint8Array): Hex => bytesToHex(w);

let l1: L1;
beforeAll(async () => {
  l1 = await startAnvil();
});
afterAll(async () => {
  await l1?.stop();
});

const reverts = (p: Promise<unknown>, name: string, args?: readonly unknown[]) =>
  expectRevert(p, 'ChallengeManager', name, args);

const balance = (a: Address) => l1.publicClient.getBalance({ address: a });
const clientsOf = (i: number) => ({
  publicClient: l1.publicClient,
  walletClient: walletFor(l1, l1.accounts[i].account),
});

/**
 * A contract that forwards any call (with its value) to `to` and bubbles the result, and rejects
 * plain ETH transfers (empty calldata): a bond payer that cannot be paid.
 */
async function forwarder(at: Address, to: Address): Promise<Address> {
  const code = concatHex([
    '0x36600857600080fd5b365f5f375f5f365f3473',
    to,
    '0x5af13d5f5f3e6033573d5ffd5b3d5ff3',
  ]);
  await l1.testClient.setCode({ address: at, bytecode: code });
  return getAddress(at);
}

/** An edge with the history it commits to; `block` and `base` locate step levels (as the agent tracks them). */
interface Node {
  ref: EdgeRef;
  history: History;
  block: number;
  base: number;
}

function layerZero(claim: Claim, a: AssertionData): Node {
  return {
    ref: { level: 0, origin: a.prevId, start: 0n, w: H[0], startState: a.prevStateHash, root: a.historyRoot },
    history: claim.level0(),
    block: -1,
    base: 0,
  };
}

/** The dissection of `n` (§4.2) and its children. */
function kids(n: Node): { boundaries: Hex[]; inners: Hex[]; children: Node[] } {
  const d = n.history.dissection(Number(n.ref.start), n.ref.w);
  const childW = n.ref.w - splitBits(n.ref.w);
  const boundaries = d.boundaries.map(hex);
  return {
    boundaries,
    inners: d.inners.map(hex),
    children: d.children.map((root, j) => ({
      ref: {
        ...n.ref,
        start: n.ref.start + (BigInt(j) << BigInt(childW)),
        w: childW,
        startState: boundaries[j],
        root: hex(root),
      },
      history: n.history,
      block: n.block,
      base: n.base,
    })),
  };
}

/** The next level's top edge claiming the w = 0 edge `c` (§4.1), and the arguments that create it. */
function sub(claim: Claim, c: Node) {
  const level = c.ref.level + 1;
  const block = c.ref.level === 0 ? Number(c.ref.start) : c.block;
  const base = c.ref.level === 0 ? 0 : c.base + Number(c.ref.start) * 2 ** strideLog2(H, c.ref.level);
  const history = claim.stepHistory(block, level, base);
  const node: Node = {
    ref: {
      level,
      origin: edgeKey(c.ref),
      start: 0n,
      w: H[level],
      startState: hex(history.state(0)),
      root: hex(history.root()),
    },
    history,
    block,
    base,
  };
  return {
    node,
    start: toSolState(claim.blockState(block)) as SolGlobalState,
    claimedEnd: hex(c.history.state(Number(c.ref.start) + 1)),
    endMachine: claim.endMachineWords(block),
    inner: hex(history.inner(0, history.h)),
  };
}

/** index of the first child where two dissections disagree */
const diverge = (x: Node[], y: Node[]) => x.findIndex((n, j) => n.ref.root !== y[j].ref.root);

describe('ChallengeManager parameters and wiring', () => {
  it('BadParameters: too few heights, zero heights, a block height above 32, steps above 2^48', async () => {
    const artifact = await getArtifact('ChallengeManager');
    const fields = moduleFieldsHex(disputeTestProgram());
    const attempt = (heights: number[]) =>
      deploy(l1, artifact, [l1.accounts[9].address, fields, heights, 100n, BOND]).then(
        () => undefined,
        (e: unknown) => toSettlementError(e, 'ChallengeManager', 'deploying ChallengeManager', artifact.abi),
      );
    for (const heights of [[], [3], [0, 3], [33, 3], [3, 0], [3, 7, 0], [3, 40, 9], [8, 49]]) {
      const e = await attempt(heights);
      expect(e, `heights ${heights}`).toBeInstanceOf(SettlementRevertError);
      expect((e as SettlementRevertError).errorName).toBe('BadParameters');
      expect((e as SettlementRevertError).code).toBe('CHALLENGE_MANAGER_BAD_PARAMETERS');
      expect((e as SettlementRevertError).message).toContain(CHALLENGE_MANAGER_ERRORS.BadParameters([]));
    }
    // the limits themselves are fine
    for (const heights of [
      [32, 48],
      [1, 1],
      [3, 40, 8],
    ])
      expect(await attempt(heights)).toBeUndefined();
  });
});

describe('a dispute, move by move', () => {
  let f: DisputeFixture;
  let cm: ChallengeClient;
  let abi: Abi;
  let honest: HonestClaim;
  let liar: LyingClaim;
  let padLiar: LyingClaim;
  let hAgent: DisputeAgent;
  let lAgent: DisputeAgent;
  let pAgent: DisputeAgent;
  let fwd: Address;
  // edges (filled in as the dispute goes)
  let h0: Node;
  let l0: Node;
  let p0: Node;
  let hKids: Node[];
  let lKids: Node[];
  let pKids: Node[];
  let h1: ReturnType<typeof sub>;
  let l1Sub: ReturnType<typeof sub>;

  const cmOf = (i: number) => f.settlement.challenges.as(clientsOf(i));
  const raw = (functionName: string, args: readonly unknown[], i = 0) =>
    sendContractTx(clientsOf(i), 'ChallengeManager', {
      address: f.settlement.addresses.challengeManager,
      abi,
      functionName,
      args,
    });
  const updateByChildren = (e: EdgeRef, boundaries: Hex[], inners: Hex[]) =>
    raw('updateTimerCacheByChildren', [e, boundaries, inners]);
  const updateByClaim = (c: EdgeRef, s: EdgeRef) => raw('updateTimerCacheByClaim', [c, s]);
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    l1.publicClient.readContract({
      address: f.settlement.addresses.challengeManager,
      abi,
      functionName,
      args,
    }) as Promise<T>;

  beforeAll(async () => {
    f = await setupDisputeFixture(l1, {
      prog: disputeTestProgram(),
      params: PARAMS,
      genesis: disputeTestGenesis(),
    });
    abi = (await getArtifact('ChallengeManager')).abi;
    cm = f.settlement.challenges;
    await f.postBatch(disputeTestPayload(0));
    // the genesis assertion's successor has one block (message 0)
    honest = new HonestClaim(f.ctx, f.genesis, 1);
    liar = new LyingClaim(honest, 0, 'block 0');
    padLiar = new LyingClaim(honest, 1, 'padding');
    hAgent = f.agent('honest', 1, honest, f.genesisData);
    lAgent = f.agent('liar', 2, liar, f.genesisData);
    pAgent = f.agent('padding liar', 3, padLiar, f.genesisData);
    await hAgent.postAssertion();
    fwd = await forwarder(
      '0x00000000000000000000000000000000000f0002',
      f.settlement.addresses.challengeManager,
    );
  });

  it('initialize: NotDeployer, AlreadyInitialized', async () => {
    const rollup = f.settlement.addresses.rollup;
    const e = await reverts(raw('initialize', [rollup], 1), 'NotDeployer', []);
    expect(e.code).toBe('CHALLENGE_MANAGER_NOT_DEPLOYER');
    expect(e.message).toMatch(/^ChallengeManager\.NotDeployer: .*deploying account/);
    await reverts(raw('initialize', [rollup]), 'AlreadyInitialized', []);
  });

  it('createLayerZeroEdge without a rival: WrongBond, AssertionNotPending, NoRivalAssertion', async () => {
    const a = hAgent.assertion as AssertionData;
    await reverts(cm.createLayerZeroEdge(a, 0n), 'WrongBond', [BOND, 0n]);
    await reverts(cm.createLayerZeroEdge(a, BOND + 1n), 'WrongBond', [BOND, BOND + 1n]);
    const g = f.genesisData;
    await reverts(cm.createLayerZeroEdge(g, BOND), 'AssertionNotPending', [assertionId(g)]);
    const unknown = { ...a, historyRoot: word(1) };
    await reverts(cm.createLayerZeroEdge(unknown, BOND), 'AssertionNotPending', [assertionId(unknown)]);
    const e = await reverts(cm.createLayerZeroEdge(a, BOND), 'NoRivalAssertion', [a.prevId]);
    expect(e.code).toBe('CHALLENGE_MANAGER_NO_RIVAL_ASSERTION');
  });

  it('createLayerZeroEdge once there are rivals; EdgeExists; an unrivaled edge only waits', async () => {
    await lAgent.postAssertion();
    await pAgent.postAssertion();
    const cmBefore = await balance(cm.address);
    expect((await hAgent.advance()).map((m) => m.kind)).toEqual(['layer-zero-edge']);
    expect((await balance(cm.address)) - cmBefore).toBe(BOND);
    h0 = layerZero(honest, hAgent.assertion as AssertionData);
    l0 = layerZero(liar, lAgent.assertion as AssertionData);
    p0 = layerZero(padLiar, pAgent.assertion as AssertionData);
    expect(await f.settlement.rollup.layerZeroEdgeId(hAgent.assertion as AssertionData)).toBe(edgeId(h0.ref));
    await reverts(cm.createLayerZeroEdge(hAgent.assertion as AssertionData, BOND), 'EdgeExists', [
      edgeId(h0.ref),
    ]);
    const d = kids(h0);
    await reverts(cm.dissect(h0.ref, d.boundaries, d.inners), 'EdgeNotRivaled', [edgeId(h0.ref)]);
    await f.elapse(10);
    const e = await reverts(cm.confirmEdgeByTime(h0.ref), 'TimerTooLow');
    expect(e.args[0]).toBeGreaterThanOrEqual(10n);
    expect(e.args[1]).toBe(PARAMS.challengePeriod);
    const s = await cm.edgeStatus(h0.ref);
    expect(s).toMatchObject({ exists: true, rivaled: false, confirmed: false, dissected: false });
    const unknown = { ...h0.ref, root: word(2) };
    await reverts(cm.dissect(unknown, d.boundaries, d.inners), 'UnknownEdge', [edgeId(unknown)]);
    await reverts(cm.confirmEdgeByTime(unknown), 'UnknownEdge', [edgeId(unknown)]);
    await reverts(updateByChildren(unknown, d.boundaries, d.inners), 'UnknownEdge');
  });

  it('rival level-0 edges; dissect: BadDissection (count, start, root), AlreadyDissected, WrongWidth', async () => {
    // the liars create their edges (a non-first edge at its key: EdgeExists the second time) and
    // dissect them; block 0 is then rivaled, the liar opens its step level there
    expect((await pAgent.advance()).map((m) => m.kind)).toEqual(['layer-zero-edge', 'dissect']);
    expect((await lAgent.advance()).map((m) => m.kind)).toEqual([
      'layer-zero-edge',
      'dissect',
      'subchallenge',
    ]);
    await reverts(cm.createLayerZeroEdge(lAgent.assertion as AssertionData, BOND), 'EdgeExists', [
      edgeId(l0.ref),
    ]);
    expect(await cm.edgeStatus(h0.ref)).toMatchObject({ rivaled: true, dissected: false });
    const d = kids(h0);
    const { boundaries: b, inners: i } = d;
    await reverts(cm.dissect(h0.ref, b.slice(0, -1), i), 'BadDissection', []);
    await reverts(cm.dissect(h0.ref, b, i.slice(1)), 'BadDissection', []);
    await reverts(cm.dissect(h0.ref, [...b, b[8]], [...i, i[7]]), 'BadDissection', []);
    await reverts(cm.dissect(h0.ref, [word(3), ...b.slice(1)], i), 'BadDissection', []);
    const ld = kids(l0); // same start state, the liar's history: does not hash to the honest root
    await reverts(cm.dissect(h0.ref, ld.boundaries, ld.inners), 'BadDissection', []);
    await reverts(cm.dissect(h0.ref, b, [...i.slice(0, 7), word(4)]), 'BadDissection', []);
    await reverts(updateByChildren(h0.ref, ld.boundaries, ld.inners), 'BadDissection', []);
    const tx = await cmOf(1).dissect(h0.ref, b, i);
    const [ev] = parseEventLogs({ abi, logs: tx.receipt.logs, eventName: 'EdgeDissected' });
    expect((ev as unknown as { args: { id: Hex; boundaries: Hex[] } }).args).toMatchObject({
      id: edgeId(h0.ref),
      boundaries: b,
    });
    await reverts(cm.dissect(h0.ref, b, i), 'AlreadyDissected', [edgeId(h0.ref)]);
    await updateByChildren(h0.ref, b, i);
    hKids = d.children;
    lKids = kids(l0).children;
    pKids = kids(p0).children;
    // block 0: the honest and the padding liar share it, the liar rivals it; block 1: the padding liar rivals
    expect(diverge(hKids, lKids)).toBe(0);
    expect(diverge(hKids, pKids)).toBe(1);
    for (const [n, rivaled] of [
      [hKids[0], true],
      [hKids[1], true],
      [hKids[2], false],
      [lKids[1], false],
    ] as const) {
      expect(await cm.edgeStatus(n.ref)).toMatchObject({ exists: true, rivaled });
    }
    await reverts(cm.dissect(hKids[0].ref, [], []), 'WrongWidth', [0]);
  });

  it('confirmEdgeByPadding: WrongLevel, WrongWidth, UnknownEdge, NotPadding, ProofMismatch; the honest padding proves', async () => {
    await reverts(cm.confirmEdgeByPadding({ ...hKids[1].ref, level: 1 }), 'WrongLevel', [1]);
    await reverts(cm.confirmEdgeByPadding(h0.ref), 'WrongWidth', [H[0]]);
    const unknown = { ...hKids[1].ref, root: word(5) };
    await reverts(cm.confirmEdgeByPadding(unknown), 'UnknownEdge', [edgeId(unknown)]);
    await reverts(cm.confirmEdgeByPadding(hKids[0].ref), 'NotPadding', [0n, 1n]);
    // the padding liar claims a state change in the padding
    const e = await reverts(cm.confirmEdgeByPadding(pKids[1].ref), 'ProofMismatch', [pKids[1].ref.root]);
    expect(e.code).toBe('CHALLENGE_MANAGER_PROOF_MISMATCH');
    const tx = await cm.confirmEdgeByPadding(hKids[1].ref);
    const [ev] = parseEventLogs({ abi, logs: tx.receipt.logs, eventName: 'EdgeProved' });
    expect((ev as unknown as { args: { byPadding: boolean } }).args.byPadding).toBe(true);
    expect((await cm.edgeStatus(hKids[1].ref)).total).toBe(INF);
  });

  it('createBlockStepEdge: WrongLevel, WrongWidth, UnknownEdge, EdgeNotRivaled, PaddingBlock, ClaimMismatch, EndStateMismatch, WrongBond, EdgeExists', async () => {
    h1 = sub(honest, hKids[0]);
    const { start, claimedEnd, endMachine, inner } = h1;
    const create = (c: EdgeRef, o: Partial<typeof h1> = {}, bond = BOND) =>
      cm.createBlockStepEdge(
        c,
        o.start ?? start,
        o.claimedEnd ?? claimedEnd,
        o.endMachine ?? endMachine,
        o.inner ?? inner,
        bond,
      );
    const c0 = hKids[0].ref;
    await reverts(create({ ...c0, level: 1 }), 'WrongLevel', [1]);
    await reverts(create(h0.ref), 'WrongWidth', [H[0]]);
    const unknown = { ...c0, root: word(6) };
    await reverts(create(unknown), 'UnknownEdge', [edgeId(unknown)]);
    await reverts(create(hKids[2].ref), 'EdgeNotRivaled', [edgeId(hKids[2].ref)]);
    await reverts(create(hKids[1].ref), 'PaddingBlock', [1n, 1n]);
    // the start global state must be the block's, the claimed end the edge's
    await reverts(create(c0, { start: toSolState(honest.blockState(1)) }), 'ClaimMismatch', []);
    await reverts(create(c0, { claimedEnd: hex(liar.level0().state(1)) }), 'ClaimMismatch', []);
    // a Finished end machine carrying another state; a machine that did not finish (the block would be skipped)
    await reverts(create(c0, { endMachine: liar.endMachineWords(0) }), 'EndStateMismatch', []);
    const running = [...endMachine];
    running[0] = numberToHex(BigInt(running[0]) & ~(0xffn << 192n), { size: 32 });
    await reverts(create(c0, { endMachine: running }), 'EndStateMismatch', []);
    await reverts(create(c0, {}, 0n), 'WrongBond', [BOND, 0n]);
    // the honest sub-edge, paid by a contract that rejects ETH (its refund fails later)
    const viaFwd = await ChallengeClient.at(
      { publicClient: l1.publicClient, walletClient: l1.walletClient },
      fwd,
    );
    const tx = await viaFwd.createBlockStepEdge(c0, start, claimedEnd, endMachine, inner, BOND);
    const [ev] = parseEventLogs({ abi, logs: tx.receipt.logs, eventName: 'EdgeCreated' });
    expect((ev as unknown as { args: unknown }).args).toMatchObject({
      id: edgeId(h1.node.ref),
      key: edgeKey(h1.node.ref),
      edge: h1.node.ref,
      claimId: edgeId(c0),
      payer: fwd,
    });
    expect(await read('claimOf', [edgeId(h1.node.ref)])).toBe(edgeId(c0));
    await reverts(create(c0), 'EdgeExists', [edgeId(h1.node.ref)]);
  });

  it('the agents play the dispute down to the one-step proof (no time passes)', async () => {
    for (let round = 0; round < 20; round++) {
      const moves = [...(await lAgent.advance()), ...(await hAgent.advance())];
      if (moves.length === 0) break;
    }
    expect(hAgent.moves.map((m) => m.kind)).toContain('one-step-proof');
    expect(lAgent.moves.map((m) => m.kind)).not.toContain('one-step-proof');
    expect(await hAgent.isConfirmed()).toBe(false);
    l1Sub = sub(liar, lKids[0]);
    expect(edgeKey(l1Sub.node.ref)).toBe(edgeKey(h1.node.ref));
    expect(await cm.edgeStatus(l1Sub.node.ref)).toMatchObject({
      exists: true,
      rivaled: true,
      dissected: true,
    });
  });

  /** the honest and lying edges along the dispute's path, levels 1 and 2 */
  function path() {
    const hk1 = kids(h1.node).children;
    const lk1 = kids(l1Sub.node).children;
    const j1 = diverge(hk1, lk1);
    const h2 = sub(honest, hk1[j1]);
    const l2 = sub(liar, lk1[j1]);
    const hk2 = kids(h2.node).children; // w = 4
    const lk2 = kids(l2.node).children;
    const j2 = diverge(hk2, lk2);
    const hk3 = kids(hk2[j2]).children; // w = 0, last level
    const lk3 = kids(lk2[j2]).children;
    const j3 = diverge(hk3, lk3);
    return { hk1, lk1, j1, h2, l2, hk2, j2, hLast: hk3[j3], lLast: lk3[j3] };
  }

  it('createStepSubEdge: WrongLevel, WrongWidth, UnknownEdge, EdgeNotRivaled, ClaimMismatch, WrongBond, EdgeExists', async () => {
    const { hk1, j1, h2 } = path();
    const { claimedEnd, inner } = h2;
    const c = hk1[j1].ref;
    await reverts(cm.createStepSubEdge(hKids[0].ref, claimedEnd, inner, BOND), 'WrongLevel', [0]);
    await reverts(
      cm.createStepSubEdge({ ...c, level: H.length - 1 }, claimedEnd, inner, BOND),
      'WrongLevel',
      [H.length - 1],
    );
    await reverts(cm.createStepSubEdge({ ...c, level: 255 }, claimedEnd, inner, BOND), 'WrongLevel', [255]);
    await reverts(cm.createStepSubEdge(h1.node.ref, claimedEnd, inner, BOND), 'WrongWidth', [H[1]]);
    const unknown = { ...c, root: word(7) };
    await reverts(cm.createStepSubEdge(unknown, claimedEnd, inner, BOND), 'UnknownEdge', [edgeId(unknown)]);
    const quiet = hk1[j1 + 1].ref; // after the honest machine stopped: no rival
    await reverts(cm.createStepSubEdge(quiet, claimedEnd, inner, BOND), 'EdgeNotRivaled', [edgeId(quiet)]);
    await reverts(cm.createStepSubEdge(c, word(8), inner, BOND), 'ClaimMismatch', []);
    await reverts(cm.createStepSubEdge(c, claimedEnd, inner, 0n), 'WrongBond', [BOND, 0n]);
    // the honest agent created it already
    expect(await read('claimOf', [edgeId(h2.node.ref)])).toBe(edgeId(c));
    await reverts(cm.createStepSubEdge(c, claimedEnd, inner, BOND), 'EdgeExists', [edgeId(h2.node.ref)]);
  });

  it('dissect: EdgeNotRivaled for a shared child nobody contests', async () => {
    const { hk2, j2 } = path();
    const quiet = hk2[j2 === 0 ? 1 : 0];
    expect(quiet.ref.w).toBe(4);
    const d = kids(quiet);
    await reverts(cm.dissect(quiet.ref, d.boundaries, d.inners), 'EdgeNotRivaled', [edgeId(quiet.ref)]);
  });

  it('confirmEdgeByOneStepProof: WrongLevel, WrongWidth, UnknownEdge, ProofMismatch; a proof of another step', async () => {
    const { hk1, j1, h2, hLast, lLast } = path();
    const step = hLast.base + Number(hLast.ref.start);
    const { proof } = honest.proveStep(hLast.block, step);
    const p = hex(proof);
    await reverts(cm.confirmEdgeByOneStepProof(hk1[j1].ref, p), 'WrongLevel', [1]);
    await reverts(cm.confirmEdgeByOneStepProof({ ...hLast.ref, level: 255 }, p), 'WrongLevel', [255]);
    await reverts(cm.confirmEdgeByOneStepProof(h2.node.ref, p), 'WrongWidth', [H[2]]);
    const unknown = { ...hLast.ref, root: word(9) };
    await reverts(cm.confirmEdgeByOneStepProof(unknown, p), 'UnknownEdge', [edgeId(unknown)]);
    // the right step's proof for the lying edge leads to the honest state
    expect(lLast.ref.startState).toBe(hLast.ref.startState);
    const honestPost = hex(hLast.history.state(Number(hLast.ref.start) + 1));
    await reverts(cm.confirmEdgeByOneStepProof(lLast.ref, p), 'ProofMismatch', [honestPost]);
    // the honest edge proves (again: the agent did it already)
    expect((await cm.edgeStatus(hLast.ref)).total).toBe(INF);
    await cm.confirmEdgeByOneStepProof(hLast.ref, p);
    // a proof of the previous step starts from another machine: the prover rejects it
    const other = hex(honest.proveStep(hLast.block, step - 1).proof);
    const e = await cm.confirmEdgeByOneStepProof(hLast.ref, other).then(
      () => undefined,
      (x: unknown) => x,
    );
    // ChallengeClient decodes the one-step prover's errors too
    expect(e).toBeInstanceOf(SettlementRevertError);
    expect((e as SettlementRevertError).errorName).toBe('MachineHashMismatch');
  });

  it('timers: NotClaimedBy, TimerTooLow; updateTimerCacheByClaim', async () => {
    const c0 = hKids[0].ref;
    await reverts(updateByClaim(c0, l1Sub.node.ref), 'NotClaimedBy', [edgeId(c0), edgeId(l1Sub.node.ref)]);
    const unknown = { ...h1.node.ref, root: word(10) };
    await reverts(updateByClaim(c0, unknown), 'UnknownEdge', [edgeId(unknown)]);
    await updateByClaim(c0, h1.node.ref);
    await updateByClaim(lKids[0].ref, l1Sub.node.ref);
    const e = await reverts(cm.confirmEdgeByTime(h0.ref), 'TimerTooLow');
    expect(e.args[0] as bigint).toBeLessThan(PARAMS.challengePeriod);
    expect(e.message).toContain('update the timers bottom-up');
  });

  it('after the challenge period the honest edge and assertion confirm; RivalConfirmed; DisputeUndecided', async () => {
    await f.elapse(PERIOD);
    // the level-0 edge first (the agent's own multicall), the assertion not yet: no bond can be swept,
    // since a swept bond goes to the winning assertion's asserter (docs/dispute.md §4.4)
    await cm.multicall(hAgent.confirmCalls());
    expect((await cm.edgeStatus(h0.ref)).confirmed).toBe(true);
    const prevId = (hAgent.assertion as AssertionData).prevId;
    await reverts(cm.sweepEdgeBond(l0.ref, h0.ref), 'DisputeUndecided', [prevId]);
    const kinds = (await hAgent.advance()).map((m) => m.kind);
    expect(kinds).toEqual(['confirm-assertion']);
    expect(await hAgent.isConfirmed()).toBe(true);
    const hid = edgeId(h0.ref);
    await reverts(cm.confirmEdgeByTime(l0.ref), 'RivalConfirmed', [hid]);
    // inside a multicall the error is the same
    await reverts(cm.multicall([cm.encode('confirmEdgeByTime', [p0.ref])]), 'RivalConfirmed', [hid]);
    await cm.confirmEdgeByTime(h0.ref); // confirming again is a no-op
    // deeper keys: block 0's honest edge and the honest sub-edge confirm by time, their rivals cannot
    await cm.confirmEdgeByTime(hKids[0].ref);
    await reverts(cm.confirmEdgeByTime(lKids[0].ref), 'RivalConfirmed', [edgeId(hKids[0].ref)]);
    await cm.confirmEdgeByTime(h1.node.ref);
    await reverts(cm.confirmEdgeByTime(l1Sub.node.ref), 'RivalConfirmed', [edgeId(h1.node.ref)]);
    // a confirmed assertion gets no more edges
    await reverts(cm.createLayerZeroEdge(hAgent.assertion as AssertionData, BOND), 'AssertionNotPending', [
      hAgent.assertionId,
    ]);
  });

  it('bonds: NotConfirmed, NotRivals; a refund pays the payer, a sweep the winning asserter; NoBond; TransferFailed', async () => {
    const hid = edgeId(h0.ref);
    const lid = edgeId(l0.ref);
    const pid = edgeId(p0.ref);
    await reverts(cm.refundEdgeBond(l0.ref), 'NotConfirmed', [lid]);
    await reverts(cm.sweepEdgeBond(p0.ref, l0.ref), 'NotConfirmed', [lid]);
    await reverts(cm.sweepEdgeBond(l0.ref, hKids[0].ref), 'NotRivals', []);
    await reverts(cm.sweepEdgeBond(h0.ref, h0.ref), 'NotRivals', []);
    await reverts(cm.sweepEdgeBond({ ...l0.ref, root: word(11) }, h0.ref), 'UnknownEdge');
    const winner = l1.accounts[1].address; // paid the honest level-0 edge
    const cmStart = await balance(cm.address);
    let before = await balance(winner);
    const tx = await cm.refundEdgeBond(h0.ref);
    expect((await balance(winner)) - before).toBe(BOND);
    const [ev] = parseEventLogs({ abi, logs: tx.receipt.logs, eventName: 'BondPaid' });
    expect((ev as unknown as { args: unknown }).args).toEqual({
      id: hid,
      to: winner,
      amount: BOND,
      swept: false,
    });
    await reverts(cm.refundEdgeBond(h0.ref), 'NoBond', [hid]);
    // each loser's bond goes to the winner's payer, once
    before = await balance(winner);
    await cm.sweepEdgeBond(l0.ref, h0.ref);
    await cm.sweepEdgeBond(p0.ref, h0.ref);
    expect((await balance(winner)) - before).toBe(2n * BOND);
    await reverts(cm.sweepEdgeBond(l0.ref, h0.ref), 'NoBond', [lid]);
    await reverts(cm.sweepEdgeBond(p0.ref, h0.ref), 'NoBond', [pid]);
    expect(cmStart - (await balance(cm.address))).toBe(3n * BOND);
    // a dissection child never held a bond
    await reverts(cm.refundEdgeBond(hKids[0].ref), 'NoBond', [edgeId(hKids[0].ref)]);
    // the honest sub-edge was paid by a contract that rejects ETH: its refund cannot be paid to it,
    // but the liar's bond at that key goes to the honest asserter, not to the edge's payer
    const e = await reverts(cm.refundEdgeBond(h1.node.ref), 'TransferFailed', [fwd, BOND]);
    expect(e.code).toBe('CHALLENGE_MANAGER_TRANSFER_FAILED');
    before = await balance(winner);
    const sweep = await cm.sweepEdgeBond(l1Sub.node.ref, h1.node.ref);
    expect((await balance(winner)) - before).toBe(BOND);
    const [paid] = parseEventLogs({ abi, logs: sweep.receipt.logs, eventName: 'BondPaid' });
    expect((paid as unknown as { args: { to: string } }).args.to).toBe(winner);
  });
});
